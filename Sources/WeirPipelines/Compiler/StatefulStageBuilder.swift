import WeirEngine
import WeirFormats

/// Turns the compiled keyBy/window/aggregate (or reduce) steps and `time:`
/// into the job's `StatefulStage`, building the operator once here so that a
/// configuration it refuses is reported before anything starts.
enum StatefulStageBuilder {
    static func build(_ plan: StatefulPlan, time: TimeDefinition?, timeSlot: Int?, lateData: DestinationDefinition?,
                      slotCount: Int, into b: inout ProgramBuilder) -> JobSpec.StatefulStage? {
        let keys = plan.keys.map { WindowOperatorConfig.KeyField(name: $0.name.value, slot: $0.slot, source: $0.source) }
        if plan.keyBy != nil, let pattern = plan.pattern {
            return PatternStageBuilder.build(pattern, keys: keys, plan: plan, time: time, timeSlot: timeSlot,
                                             lateData: lateData, slotCount: slotCount, into: &b)
        }
        guard plan.keyBy != nil, let aggregateStep = plan.aggregateStep else { return nil }
        let aggregates = plan.aggregates.map(\.spec)
        // Output names: key fields, window bounds (windows), aggregates — each once.
        var taken: [String: String] = [:]
        for k in plan.keys { taken[k.name.value] = "a key field" }
        if !plan.isReduce { taken["window_start"] = "the window start"; taken["window_end"] = "the window end" }
        for a in plan.aggregates {
            if let what = taken[a.name.value] {
                b.error(a.name.location, "output field '\(a.name.value)' is already \(what); give the aggregate another name")
            }
            taken[a.name.value] = "an aggregate"
        }
        guard let (extractor) = timestampExtractor(time, timeSlot: timeSlot) else { return nil }
        let watermark = WatermarkConfig(maxOutOfOrdernessMs: time?.maxOutOfOrdernessMs ?? 0, idleTimeoutMs: time?.idleTimeoutMs)
        let makeOperator: () throws -> any Operator
        let at: SourceLocation
        if plan.isReduce {
            let config = ReduceOperatorConfig(keyFields: keys, aggregates: aggregates, inputSlotCount: slotCount)
            makeOperator = { try KeyedReduceOperator(config) }
            at = aggregateStep.location
        } else {
            guard let window = plan.window, let windowStep = plan.windowStep else { return nil }
            let config = WindowOperatorConfig(keyFields: keys, window: window.spec,
                                              timeDomain: extractor == nil ? .processingTime : .eventTime,
                                              allowedLatenessMs: window.allowedLatenessMs, aggregates: aggregates,
                                              inputSlotCount: slotCount)
            makeOperator = { try WindowOperator(config) }
            at = windowStep.location
        }
        do {
            _ = try makeOperator()
        } catch {
            b.error(at, "\(error)")
            return nil
        }
        var stage = JobSpec.StatefulStage(timestamp: extractor, watermark: watermark,
                                          keySlots: Array(0..<keys.count), makeOperator: makeOperator)
        stage.lateData = lateData?.engine
        stage.inputKinds = plan.inputKinds
        return stage
    }

    /// Event time as `time:` says; `.some(nil)` for processing time (or no `time:`),
    /// nil when the time field could not be bound (already reported).
    static func timestampExtractor(_ time: TimeDefinition?, timeSlot: Int?) -> TimestampExtractor?? {
        switch time?.kind {
        case .field(_, let format)?:
            guard let timeSlot else { return nil }
            return .some(TimestampExtractor(.field(slot: timeSlot, format: format)))
        case .kafkaTimestamp?: return .some(TimestampExtractor(.kafkaTimestamp))
        case .processingTime?, nil: return .some(nil)   // reduce without time: arrival (processing) time
        }
    }
}
