import WeirEngine
import WeirFormats

/// keyBy + pattern into the job's `StatefulStage` with a `CEPOperator`. The
/// pattern is validated here (Flink's refusals, at the option at fault) and
/// the operator built once, so anything it refuses is reported before a start.
enum PatternStageBuilder {
    static func build(_ pattern: PatternPlan, keys: [WindowOperatorConfig.KeyField], plan: StatefulPlan,
                      time: TimeDefinition?, timeSlot: Int?, lateData: DestinationDefinition?,
                      slotCount: Int, into b: inout ProgramBuilder) -> JobSpec.StatefulStage? {
        // Output names: key fields, measures, the timed-out flag — each once.
        var taken: [String: String] = [:]
        for k in plan.keys { taken[k.name.value] = "a key field" }
        var ok = true
        var outputs = pattern.measures.map(\.name)
        if let t = pattern.definition.timedOutField { outputs.append(t) }
        for n in outputs {
            if let what = taken[n.value] {
                b.error(n.location, "output field '\(n.value)' is already \(what); give it another name")
                ok = false
            }
            taken[n.value] = "a measure"
        }
        do { try pattern.pattern(slotCount: slotCount).validate() } catch {
            b.error(pattern.location(of: error), "pattern: \(error)")
            return nil
        }
        guard ok, let extractor = StatefulStageBuilder.timestampExtractor(time, timeSlot: timeSlot) else { return nil }
        let measures = pattern.measures.map(\.measure)
        let timedOut = pattern.definition.timedOutField?.value
        let routed = pattern.definition.timedOutDestination != nil
        let cap = pattern.definition.maxPartialMatchesPerKey
        let domain: TimeDomain = extractor == nil ? .processingTime : .eventTime
        let makeOperator: () throws -> any Operator = {
            var config = CEPOperatorConfig(keyFields: keys, pattern: pattern.pattern(slotCount: slotCount), timeDomain: domain,
                                           measures: measures, maxPartialMatchesPerKey: cap, timedOutField: timedOut,
                                           inputSlotCount: slotCount)
            config.routesTimedOut = routed
            return try CEPOperator(config)
        }
        do {
            _ = try makeOperator()
        } catch {
            b.error(pattern.step.location, "\(error)")
            return nil
        }
        let watermark = WatermarkConfig(maxOutOfOrdernessMs: time?.maxOutOfOrdernessMs ?? 0, idleTimeoutMs: time?.idleTimeoutMs)
        var stage = JobSpec.StatefulStage(timestamp: extractor, watermark: watermark,
                                          keySlots: Array(0..<keys.count), makeOperator: makeOperator)
        stage.lateData = lateData?.engine
        stage.timedOut = pattern.definition.timedOutDestination?.engine
        stage.inputKinds = plan.inputKinds
        return stage
    }
}
