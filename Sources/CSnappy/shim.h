/* snappy's C API; the library itself is C++, linked as libsnappy. */
#include <snappy-c.h>
