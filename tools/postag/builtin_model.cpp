#include "tools/postag/builtin_model.h"

// .incbin keeps the model out of the C++ source entirely (no giant generated
// array) and aligns it to 64 bytes, so the runtime uses it in place.
#if defined(__APPLE__)
#define FFNLP_RODATA ".const_data"
#define FFNLP_SYM(x) "_" #x
#else
#define FFNLP_RODATA ".section .rodata"
#define FFNLP_SYM(x) #x
#endif

__asm__(FFNLP_RODATA "\n"
        ".balign 64\n"
        FFNLP_SYM(ffnlp_pos_model_begin) ":\n"
        ".incbin \"models/pos-en.ffm\"\n"
        FFNLP_SYM(ffnlp_pos_model_end) ":\n"
        ".previous\n");

extern "C" const unsigned char ffnlp_pos_model_begin[];
extern "C" const unsigned char ffnlp_pos_model_end[];

namespace ffnlp {
namespace postag {

const void* builtin_model_data() { return ffnlp_pos_model_begin; }
size_t builtin_model_size() { return static_cast<size_t>(ffnlp_pos_model_end - ffnlp_pos_model_begin); }

}  // namespace postag
}  // namespace ffnlp
