// Default options of the ASan+UBSan twins (KSCONV_SANITIZE), built into each sanitized
// executable so that CTest, the e2e scripts and a hand run all behave alike; ASAN_OPTIONS
// and UBSAN_OPTIONS in the environment still override them. A finding exits 86, a status
// the tool never uses (its failures exit 1 or 2), so no test mistakes one for an expected
// error.
//
// alloc_dealloc_mismatch is off: LLVM 15 inside PoCL (the OpenCL driver the GPU-schedule
// tests run on) frees memory from operator new(nothrow) with free() when it compiles a
// kernel, which ASan would report as ksconv's error. ksconv itself allocates only through
// containers and smart pointers.
extern "C" {

const char *__asan_default_options() {
    return "detect_leaks=1:exitcode=86:strict_string_checks=1:check_initialization_order=1:"
           "detect_stack_use_after_return=1:alloc_dealloc_mismatch=0";
}

const char *__ubsan_default_options() {
    return "print_stacktrace=1:halt_on_error=1:exitcode=86";
}

// The OpenCL driver stack under test (PoCL compiles kernels with its own LLVM) keeps its
// compiler state until exit; those are not ksconv's leaks. ksconv's own allocations, and
// Halide's runtime compiled into it, stay checked.
const char *__lsan_default_suppressions() {
    return "leak:libpocl\n"
           "leak:libLLVM\n"
           "leak:libclang-cpp\n"
           "leak:libOpenCL\n"
           "leak:libcuda\n";
}

}  // extern "C"
