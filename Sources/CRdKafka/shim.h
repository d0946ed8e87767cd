#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* Swift cannot call C variadic functions, and librdkafka 2.0.2 has no array
 * form of rd_kafka_mock_broker_push_request_error_rtts: this fixed-arity
 * wrapper pushes one (error, rtt) pair; callers loop to push several (the
 * broker's error stack is FIFO, so order is kept). */
static inline rd_kafka_resp_err_t
weir_mock_broker_push_request_error_rtt(rd_kafka_mock_cluster_t *mcluster,
                                        int32_t broker_id,
                                        int16_t api_key,
                                        rd_kafka_resp_err_t err,
                                        int rtt_ms) {
        return rd_kafka_mock_broker_push_request_error_rtts(
            mcluster, broker_id, api_key, 1, err, rtt_ms);
}
