#include <yajl/yajl_parse.h>
#include <yajl/yajl_gen.h>

/* yajl_config is variadic, which Swift cannot call: one wrapper per option used. */
static inline int yajl_config_allow_multiple_values(yajl_handle h) {
    return yajl_config(h, yajl_allow_multiple_values, 1);
}
