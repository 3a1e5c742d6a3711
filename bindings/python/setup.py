"""Builds the ffnlp extension from the runtime's C++ sources; no downloads.

In the repository the sources are read in place (../../runtime, the spans
algorithm in ../../tools/langid, the shared layer in ../common) and the
built-in model is ../../models/langid.ffm. An sdist carries copies of them
under vendor/. Runtime sources are every .cpp below runtime/src, whatever
its folders. Environment: FFNLP_BUILD_JOBS (parallel compiles, default: one
per CPU); FFNLP_RUNTIME_LIB=PATH links that already built, position-independent
runtime archive (the repository build's build/libffnlp.a, compiled from the same
sources) instead of compiling runtime/src again (make test does).
"""
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
# Paths (relative to the source root) an sdist copies into vendor/.
VENDORED = ["runtime", "tools/langid/spans.h", "tools/langid/spans.cpp", "bindings/common", "models/langid.ffm"]


def source_root():
    for root in (HERE / "vendor", HERE.parent.parent):
        if (root / "runtime" / "include" / "ffnlp" / "ffnlp_c.h").is_file():
            return root
    sys.exit("ffnlp: the runtime sources are missing: build from the ffnlp repository "
             "(bindings/python) or from an sdist made by `setup.py sdist`")


ROOT = source_root()
RUNTIME_SRC = ROOT / "runtime" / "src"
RUNTIME_SOURCES = sorted(str(p) for p in RUNTIME_SRC.rglob("*.cpp"))
# Compiled with exceptions on (they are caught inside): the shared layer and the spans algorithm.
GLUE_SOURCES = [str(ROOT / "bindings" / "common" / "ffnlp_bind.cpp"), str(ROOT / "tools" / "langid" / "spans.cpp")]
INCLUDE_DIRS = [str(ROOT / "runtime" / "include"), str(RUNTIME_SRC), str(ROOT), str(ROOT / "bindings" / "common")]
MODEL = ROOT / "models" / "langid.ffm"


def have_classify_ex():
    header = (ROOT / "runtime" / "include" / "ffnlp" / "ffnlp_c.h").read_text(encoding="utf-8")
    return "ffnlp_classify_ex" in header


MACROS = [("FFNLPB_HAVE_CLASSIFY_EX", "1")] if have_classify_ex() else []


class BuildExt(build_ext):
    """Compiles the runtime with its own flags (no exceptions, no RTTI) and
    the shared layer, in parallel, then the extension, and links them."""

    def finalize_options(self):
        super().finalize_options()
        self.force = True  # setuptools cannot see header dependencies: always rebuild

    def build_extension(self, ext):
        unix = self.compiler.compiler_type == "unix"
        common = ["-std=c++17", "-O2", "-g0", "-ffp-contract=off", "-fvisibility=hidden"] if unix else ["/std:c++17", "/O2"]
        runtime_flags = common + (["-fno-exceptions", "-fno-rtti"] if unix else [])
        jobs = int(os.environ.get("FFNLP_BUILD_JOBS") or os.cpu_count() or 1)
        prebuilt = os.environ.get("FFNLP_RUNTIME_LIB")
        if prebuilt and not os.path.isfile(prebuilt):
            sys.exit("ffnlp: FFNLP_RUNTIME_LIB=%s: no such file" % prebuilt)
        runtime_jobs = [] if prebuilt else [(s, runtime_flags) for s in RUNTIME_SOURCES]
        jobs_list = runtime_jobs + [(s, common) for s in GLUE_SOURCES]
        for source, _ in jobs_list:  # create object folders before compiling in threads
            obj = self.compiler.object_filenames([source], output_dir=self.build_temp)[0]
            os.makedirs(os.path.dirname(obj), exist_ok=True)

        def compile_one(job):
            source, flags = job
            return self.compiler.compile([source], output_dir=self.build_temp, macros=MACROS,
                                         include_dirs=INCLUDE_DIRS, extra_postargs=flags)[0]

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            ext.extra_objects = list(pool.map(compile_one, jobs_list)) + ([prebuilt] if prebuilt else [])
        ext.extra_compile_args = common
        if unix and sys.platform.startswith("linux"):
            # Export only the module's init function: the runtime inside stays private.
            script = Path(self.build_temp) / "ffnlp_native.map"
            script.parent.mkdir(parents=True, exist_ok=True)
            script.write_text("{ global: PyInit__native; local: *; };\n")
            ext.extra_link_args = ["-Wl,--version-script=" + str(script), "-pthread"]
        super().build_extension(ext)


class BuildPy(build_py):
    """Puts the built-in model inside the package."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "ffnlp" / "langid.ffm"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MODEL, target)


class Sdist(sdist):
    """An sdist that builds anywhere: the native sources and the runtime go in."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        shutil.copytree(HERE / "native", Path(base_dir) / "native", dirs_exist_ok=True)
        for rel in VENDORED:
            src, dst = ROOT / rel, Path(base_dir) / "vendor" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.o", "*.d"))
            else:
                shutil.copyfile(src, dst)


setup(
    ext_modules=[Extension("ffnlp._native", sources=["native/_native.cpp"], include_dirs=INCLUDE_DIRS,
                           define_macros=MACROS, language="c++")],
    cmdclass={"build_ext": BuildExt, "build_py": BuildPy, "sdist": Sdist},
)
