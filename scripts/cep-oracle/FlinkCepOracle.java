// Runs CEP test cases through Flink's own NFA (flink-cep, as shipped in the
// apache-flink wheel) and prints every match and timed-out partial match, so
// Weir's NFA can be compared with it. Driven as Flink's NFA test harness and
// CepOperator drive the NFA: for each event, advanceTime(ts) then process.
//
// Input (stdin), one case after another:
//   case <id>
//   skip noSkip | skipToNext | skipPastLastEvent | skipToFirst <stage> | skipToLast <stage>
//   within <ms>                      (0: none)
//   stage <name> <contiguity> <kinds> <quantifier> <optional 0|1> <greedy 0|1> <inner> <until kinds or ->
//       contiguity: begin|strict|relaxed|any|notNext|notFollowedBy
//       quantifier: single | times:<from>:<to> | looping:<min>
//       inner: strict|relaxed|any
//   events <id>:<ts> ...             (an event's kind is its id's first letter)
//   end <time or ->
// Output: "case <id>", then "E" if Flink refuses the pattern, else lines
//   "M <step> <ids>" and "T <step> <ids>@<timeout>", where step is the index of
//   the event whose advanceTime/process produced it (events count = the final advance).
// Usage: java -cp "<pyflink>/lib/*" FlinkCepOracle.java < cases.txt
import java.io.*;
import java.lang.reflect.*;
import java.time.Duration;
import java.util.*;
import org.apache.flink.api.common.state.*;
import org.apache.flink.api.common.typeutils.base.*;
import org.apache.flink.api.common.typeinfo.*;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.cep.nfa.*;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.nfa.sharedbuffer.*;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;

public class FlinkCepOracle {
    static final PrintStream OUT = new PrintStream(new BufferedOutputStream(System.out), false);
    public static class Ev implements Serializable {
        public String id; public long ts; public int index;
        public Ev() {}
        Ev(String id, long ts, int index) { this.id = id; this.ts = ts; this.index = index; }
        char kind() { return id.charAt(0); }
        @Override public boolean equals(Object o) { return o instanceof Ev && ((Ev) o).index == index; }
        @Override public int hashCode() { return index; }
    }

    static class Kinds extends SimpleCondition<Ev> {
        final String kinds;
        Kinds(String k) { kinds = k; }
        @Override public boolean filter(Ev e) { return kinds.indexOf(e.kind()) >= 0; }
    }

    /** A MapState over a HashMap: all the SharedBuffer needs of a keyed state store. */
    static class HeapMapState<K, V> implements MapState<K, V> {
        final Map<K, V> m = new HashMap<>();
        public V get(K k) { return m.get(k); }
        public void put(K k, V v) { m.put(k, v); }
        public void putAll(Map<K, V> all) { m.putAll(all); }
        public void remove(K k) { m.remove(k); }
        public boolean contains(K k) { return m.containsKey(k); }
        public Iterable<Map.Entry<K, V>> entries() { return m.entrySet(); }
        public Iterable<K> keys() { return m.keySet(); }
        public Iterable<V> values() { return m.values(); }
        public Iterator<Map.Entry<K, V>> iterator() { return m.entrySet().iterator(); }
        public boolean isEmpty() { return m.isEmpty(); }
        public void clear() { m.clear(); }
    }

    static KeyedStateStore heapStore() {
        return (KeyedStateStore) Proxy.newProxyInstance(FlinkCepOracle.class.getClassLoader(),
            new Class<?>[] {KeyedStateStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("getMapState") && args[0] instanceof MapStateDescriptor) return new HeapMapState<>();
                if (method.getName().equals("getBackendTypeIdentifier")) return "heap";
                throw new UnsupportedOperationException(method.toString());
            });
    }

    static String render(Map<String, List<Ev>> m) {
        List<Ev> all = new ArrayList<>();
        for (List<Ev> l : m.values()) all.addAll(l);
        all.sort(Comparator.comparingInt(e -> e.index));
        StringBuilder sb = new StringBuilder();
        for (Ev e : all) { if (sb.length() > 0) sb.append(' '); sb.append(e.id); }
        return sb.toString();
    }

    public static void main(String[] a) throws Exception {
        try {
            run();
        } finally {
            OUT.flush();
            System.exit(0);   // the shared buffers' cache-statistics timers are not daemon threads
        }
    }

    static void run() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        PrintStream out = OUT;
        String line;
        String id = null; AfterMatchSkipStrategy skip = null; long within = 0;
        List<String[]> stages = new ArrayList<>(); List<Ev> events = new ArrayList<>();
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            switch (f[0]) {
                case "case": id = f[1]; stages.clear(); events.clear(); within = 0; break;
                case "skip":
                    switch (f[1]) {
                        case "noSkip": skip = AfterMatchSkipStrategy.noSkip(); break;
                        case "skipToNext": skip = AfterMatchSkipStrategy.skipToNext(); break;
                        case "skipPastLastEvent": skip = AfterMatchSkipStrategy.skipPastLastEvent(); break;
                        case "skipToFirst": skip = AfterMatchSkipStrategy.skipToFirst(f[2]); break;
                        default: skip = AfterMatchSkipStrategy.skipToLast(f[2]);
                    }
                    break;
                case "within": within = Long.parseLong(f[1]); break;
                case "stage": stages.add(f); break;
                case "events":
                    for (int i = 1; i < f.length; i++) {
                        String[] p = f[i].split(":");
                        events.add(new Ev(p[0], Long.parseLong(p[1]), i - 1));
                    }
                    break;
                case "end":
                    out.println("case " + id);
                    runCase(stages, skip, within, events, f[1].equals("-") ? null : Long.parseLong(f[1]), out);
                    break;
            }
        }
        out.flush();
    }

    static void runCase(List<String[]> stages, AfterMatchSkipStrategy skip, long within, List<Ev> events, Long end,
                        PrintStream out) throws Exception {
        NFA<Ev> nfa;
        try {
            Pattern<Ev, Ev> p = null;
            for (String[] s : stages) {
                String name = s[1];
                switch (s[2]) {
                    case "begin": p = Pattern.<Ev>begin(name, skip); break;
                    case "strict": p = p.next(name); break;
                    case "relaxed": p = p.followedBy(name); break;
                    case "any": p = p.followedByAny(name); break;
                    case "notNext": p = p.notNext(name); break;
                    default: p = p.notFollowedBy(name);
                }
                p = p.where(new Kinds(s[3]));
                String q = s[4];
                if (q.startsWith("times:")) { String[] t = q.split(":"); p = p.times(Integer.parseInt(t[1]), Integer.parseInt(t[2])); }
                else if (q.startsWith("looping:")) { int m = Integer.parseInt(q.split(":")[1]); p = m == 1 ? p.oneOrMore() : p.timesOrMore(m); }
                if (s[5].equals("1")) p = p.optional();
                if (s[6].equals("1")) p = p.greedy();
                if (s[7].equals("strict")) p = p.consecutive(); else if (s[7].equals("any")) p = p.allowCombinations();
                if (!s[8].equals("-")) p = p.until(new Kinds(s[8]));
            }
            if (within > 0) p = p.within(Duration.ofMillis(within));
            nfa = NFACompiler.compileFactory(p, true).createNFA();
        } catch (Exception e) {
            out.println("E " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        SharedBuffer<Ev> buffer = new SharedBuffer<>(heapStore(), new KryoOrPojo().serializer());
        try {
            feed(nfa, buffer, skip, events, end, out);
        } catch (Exception e) {
            out.println("X " + e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            buffer.releaseCacheStatisticsTimer();
        }
    }

    static void feed(NFA<Ev> nfa, SharedBuffer<Ev> buffer, AfterMatchSkipStrategy skip, List<Ev> events, Long end,
                     PrintStream out) throws Exception {
        NFAState state = nfa.createInitialNFAState();
        for (int i = 0; i <= events.size(); i++) {
            if (i == events.size() && end == null) break;
            long t = i < events.size() ? events.get(i).ts : end;
            try (SharedBufferAccessor<Ev> acc = buffer.getAccessor()) {
                Tuple2<Collection<Map<String, List<Ev>>>, Collection<Tuple2<Map<String, List<Ev>>, Long>>> r =
                    nfa.advanceTime(acc, state, t, skip);
                for (Map<String, List<Ev>> m : r.f0) out.println("M " + i + " " + render(m));
                for (Tuple2<Map<String, List<Ev>>, Long> x : r.f1) out.println("T " + i + " " + render(x.f0) + "@" + x.f1);
                if (i < events.size()) {
                    for (Map<String, List<Ev>> m : nfa.process(acc, state, events.get(i), t, skip, () -> 0L))
                        out.println("M " + i + " " + render(m));
                }
            }
        }
    }

    /** Flink's own POJO serializer for the event class (the buffer copies events through it). */
    static class KryoOrPojo {
        org.apache.flink.api.common.typeutils.TypeSerializer<Ev> serializer() {
            return TypeInformation.of(Ev.class).createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl());
        }
    }
}
