/* ffnlp/embed.h: compile a model file into the program.
 *
 * Two ways, both giving a 64-byte aligned, read-only byte array that
 * ffnlp_model_create_from_buffer() / ffnlp::Model::load() read in place (no
 * copy, no file system, no mapping):
 *
 * 1. FFNLP_EMBED_FILE (GCC and Clang; ELF: Linux, Android; Mach-O: iOS,
 *    macOS) includes the file with the assembler's .incbin directive. At file
 *    scope of exactly one .c/.cpp file:
 *
 *      #include "ffnlp/embed.h"
 *      FFNLP_EMBED_FILE(langid_model, "models/langid.ffm");
 *
 *    and wherever it is used (after FFNLP_EMBED_DECLARE(langid_model); in
 *    other files):
 *
 *      ffnlp_model_create_from_buffer(langid_model, FFNLP_EMBED_SIZE(langid_model), &m, &err);
 *
 *    The path is resolved by the assembler: relative to the compiler's
 *    working directory, or to a directory given with -Wa,-I<dir>. Build
 *    systems do not see the dependency: add it yourself (make: list the .ffm
 *    as a prerequisite of the object; CMake: OBJECT_DEPENDS). Not for MSVC.
 *
 * 2. tools/embed_model/embed_model.py (Python 3, standard library) writes a
 *    C++ source for any toolchain:
 *
 *      python3 tools/embed_model/embed_model.py models/langid.ffm langid_model -o langid_model.cpp
 *
 *    defining  alignas(64) const unsigned char langid_model[] = {...};
 *              const size_t langid_model_size = ...;
 *    with C linkage; declare them with FFNLP_EMBED_DECLARE_ARRAY(langid_model)
 *    and use langid_model / langid_model_size.
 *
 * Both place the bytes in read-only data: they cost flash/disk, and RAM only
 * for the pages the OS actually touches.
 */
#ifndef FFNLP_EMBED_H_
#define FFNLP_EMBED_H_

#include <stddef.h>

#ifdef __cplusplus
#define FFNLP_EMBED_EXTERN extern "C"
#else
#define FFNLP_EMBED_EXTERN extern
#endif

/* Assembler symbol names: Mach-O prefixes C symbols with '_'. */
#define FFNLP_EMBED_STR2_(x) #x
#define FFNLP_EMBED_STR_(x) FFNLP_EMBED_STR2_(x)
#if defined(__APPLE__)
#define FFNLP_EMBED_SYM_(name) "_" #name
#define FFNLP_EMBED_SECTION_ ".const_data\n"
#define FFNLP_EMBED_POP_ ".text\n"
#define FFNLP_EMBED_TYPE_(name, suffix)
#else
#define FFNLP_EMBED_SYM_(name) #name
/* "a" = allocatable, not writable; no @progbits: '@' starts a comment on ARM. */
#define FFNLP_EMBED_SECTION_ ".pushsection .rodata.ffnlp_embed,\"a\"\n"
#define FFNLP_EMBED_POP_ ".popsection\n"
#define FFNLP_EMBED_TYPE_(name, suffix) ".type " #name #suffix ", %object\n"
#endif

/* Declares `name` (the bytes) and `name_end` (one past the last byte). */
#define FFNLP_EMBED_DECLARE(name)                        \
  FFNLP_EMBED_EXTERN const unsigned char name[];         \
  FFNLP_EMBED_EXTERN const unsigned char name##_end[]

/* Size in bytes of an FFNLP_EMBED_FILE array. */
#define FFNLP_EMBED_SIZE(name) ((size_t)(name##_end - name))

/* Defines the symbols `name` and `name_end` around the file's bytes. The
 * array is followed by one NUL byte that is not part of the size. */
#define FFNLP_EMBED_FILE(name, path)                                  \
  __asm__(FFNLP_EMBED_SECTION_                                        \
          ".balign 64\n"                                              \
          ".globl " FFNLP_EMBED_SYM_(name) "\n"                       \
          FFNLP_EMBED_TYPE_(name, )                                   \
          FFNLP_EMBED_SYM_(name) ":\n"                                \
          ".incbin \"" path "\"\n"                                    \
          ".globl " FFNLP_EMBED_SYM_(name##_end) "\n"                 \
          FFNLP_EMBED_TYPE_(name, _end)                               \
          FFNLP_EMBED_SYM_(name##_end) ":\n"                          \
          ".byte 0\n"                                                 \
          FFNLP_EMBED_POP_);                                          \
  FFNLP_EMBED_DECLARE(name)

/* Declares the arrays written by tools/embed_model/embed_model.py. */
#define FFNLP_EMBED_DECLARE_ARRAY(name)          \
  FFNLP_EMBED_EXTERN const unsigned char name[]; \
  FFNLP_EMBED_EXTERN const size_t name##_size

#endif /* FFNLP_EMBED_H_ */
