// parquet-bench: writes the benchmark's click rows with WeirParquet and prints
// rows, CPU seconds and file size as one JSON line (scripts/bench-parquet.sh
// compares it with pyarrow writing the same rows).
//
//   parquet-bench clicks <rows> <out.parquet> [zstd|snappy|none] [zstd level]
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import WeirParquet

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6
        + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func wallSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    let text = "parquet-bench: \(message)\n"
    _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    exit(2)
}

let args = CommandLine.arguments
guard args.count >= 4, args[1] == "clicks", let rows = Int(args[2]), rows >= 0 else {
    fail("usage: parquet-bench clicks <rows> <out.parquet> [zstd|snappy|none] [zstd level]")
}
let codecName = args.count > 4 ? args[4] : "zstd"
let level = args.count > 5 ? Int32(args[5]) ?? 3 : 3
var options = ParquetWriterOptions()
switch codecName {
case "zstd": options.compression = .zstd(level: level)
case "snappy": options.compression = .snappy
case "none": options.compression = .none
default: fail("unknown codec \(codecName)")
}

do {
    let g = ClickGenerator()
    let schema = try ClickGenerator.schema()
    // The rows are made first, as columns of table indices and numbers, so that
    // only writing is timed — as pyarrow's side writes ready Arrow arrays.
    let c = ClickColumns(rows: rows, g)
    let started = cpuSeconds(), wallStarted = wallSeconds()
    let output = try FileDescriptorOutput(path: args[3])
    let writer = try ParquetWriter(schema: schema, output: output, options: options)
    let (user, event, page, country, amount, ts, quantity, mobile) =
        (writer.column(0), writer.column(1), writer.column(2), writer.column(3),
         writer.column(4), writer.column(5), writer.column(6), writer.column(7))
    for i in 0..<rows {
        c.user.withValue(i) { user.append(bytes: $0) }
        c.event.withValue(i) { event.append(bytes: $0) }
        c.page.withValue(i) { page.append(bytes: $0) }
        c.country.withValue(i) { country.append(bytes: $0) }
        amount.append(c.amount[i])
        ts.append(c.ts[i])
        quantity.append(c.quantity[i])
        mobile.append(c.mobile[i])
        try writer.endRow()
    }
    let size = try writer.close()
    try output.close()
    let cpu = cpuSeconds() - started, wall = wallSeconds() - wallStarted
    print("{\"writer\": \"weir\", \"rows\": \(rows), \"cpu_s\": \(cpu), \"wall_s\": \(wall), \"bytes\": \(size), \"rows_per_cpu_s\": \(Double(rows) / max(cpu, 1e-9))}")
} catch {
    fail("\(error)")
}
