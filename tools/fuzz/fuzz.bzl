"""mptest_fuzz_test: a libFuzzer target whose corpus also runs as a plain cc_test.

The target's sources define LLVMFuzzerTestOneInput. Under `bazel test` they are linked (with
g++) against fuzz_corpus_main.cc, which feeds every file of the corpus to the function, so the
corpus is a regression test. tools/fuzz/run_fuzzer.sh NAME SECONDS builds the same sources with
clang++ -fsanitize=fuzzer,address and fuzzes with the corpus in testdata/fuzz/NAME/.
"""

def mptest_fuzz_test(name, srcs, deps = [], corpus = None, size = "small", **kwargs):
    """Declares a fuzz target and the cc_test that replays its corpus.

    Args:
      name: the test's name (by convention, <something>_fuzz).
      srcs: sources defining LLVMFuzzerTestOneInput.
      deps: the libraries under test.
      corpus: a filegroup (testdata/fuzz/<NAME>:corpus) of inputs; required.
      size: the test size.
      **kwargs: passed to cc_test.
    """
    if not corpus:
        fail("mptest_fuzz_test %s: a corpus is required" % name)
    native.cc_test(
        name = name,
        size = size,
        srcs = srcs,
        deps = deps + ["//tools/fuzz:fuzz_corpus_main"],
        data = [corpus],
        args = ["$(locations %s)" % corpus],
        tags = kwargs.pop("tags", []) + ["mptest_fuzz"],
        **kwargs
    )
