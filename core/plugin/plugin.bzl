"""mptest_plugin: builds an mptest plugin shared library.

    load("//core/plugin:plugin.bzl", "mptest_plugin")

    mptest_plugin(
        name = "my_board",
        srcs = ["my_board_plugin.cc"],
        deps = [":my_board_driver"],
    )

produces `libmy_board.so` (and a filegroup `my_board` naming it) with:
  - only `mptest_plugin_entry` exported (a version script plus -fvisibility=hidden);
  - the generated code of //core/proto left OUT: the plugin is compiled against those headers,
    and its references resolve at load time against the one copy in the mptest process
    (//core/plugin:loader exports it). Linking a second copy would make protobuf abort with
    "File already exists in database" as soon as the plugin is loaded;
  - libprotobuf, Abseil and glog linked dynamically (they are Debian's shared libraries), so the
    process holds one copy of each.

Other deps are linked statically into the plugin. They must not define ABSL_FLAGs or register
their own copy of a proto that another plugin also links.
"""

def _is_core_proto(label):
    return label.workspace_name == "" and label.package == "core/proto"

def _plugin_deps_impl(ctx):
    merged = cc_common.merge_cc_infos(cc_infos = [dep[CcInfo] for dep in ctx.attr.deps])
    kept = [
        linker_input
        for linker_input in merged.linking_context.linker_inputs.to_list()
        if not _is_core_proto(linker_input.owner)
    ]
    # Topological order keeps dependents before their dependencies on the link line; with the
    # default order a static library could come before the one that needs it, leaving its
    # symbols undefined in the plugin (found only by dlopen).
    return [CcInfo(
        compilation_context = merged.compilation_context,
        linking_context = cc_common.create_linking_context(
            linker_inputs = depset(kept, order = "topological"),
        ),
    )]

# The deps of a plugin with the core's generated protobuf code removed from the link (the
# headers stay available).
plugin_deps = rule(
    implementation = _plugin_deps_impl,
    attrs = {"deps": attr.label_list(providers = [CcInfo])},
)

def mptest_plugin(name, srcs, deps = [], copts = [], visibility = None, testonly = False, **kwargs):
    """Builds lib<name>.so, an mptest plugin, and a filegroup <name> for it.

    Args:
      name: the target name; the library is lib<name>.so.
      srcs: C++ (or C) sources; one of them uses MPTEST_PLUGIN (or defines mptest_plugin_entry).
      deps: cc_library deps; //core/api:plugin_sdk is added.
      copts: extra compiler options.
      visibility: of both targets.
      testonly: as usual.
      **kwargs: passed to the cc_binary.
    """
    plugin_deps(
        name = name + "_deps",
        deps = deps + ["//core/api:plugin_sdk"],
        testonly = testonly,
        visibility = ["//visibility:private"],
    )
    native.cc_binary(
        name = "lib%s.so" % name,
        srcs = srcs,
        deps = [":%s_deps" % name],
        copts = copts + ["-fvisibility=hidden"],
        linkshared = True,
        linkopts = ["-Wl,--version-script=$(location //core/plugin:plugin.lds)"],
        additional_linker_inputs = ["//core/plugin:plugin.lds"],
        testonly = testonly,
        visibility = visibility,
        **kwargs
    )
    native.filegroup(
        name = name,
        srcs = [":lib%s.so" % name],
        testonly = testonly,
        visibility = visibility,
    )

def runfiles_path(ctx, file):
    """The path of `file` in a runfiles tree (<workspace>/<path>, or <repository>/<path>)."""
    if file.short_path.startswith("../"):
        return file.short_path[3:]
    return ctx.workspace_name + "/" + file.short_path

def _mptest_plugin_set_impl(ctx):
    libraries = []
    for plugin in ctx.attr.plugins:
        libraries += [f for f in plugin[DefaultInfo].files.to_list() if f.basename.endswith(".so")]
    manifest = ctx.actions.declare_file(ctx.label.name + ".txt")
    ctx.actions.write(manifest, "\n".join(
        ["# mptest plugins shipped with the binary: runfiles paths, one per line."] +
        [runfiles_path(ctx, f) for f in libraries],
    ) + "\n")
    runfiles = ctx.runfiles(files = [manifest] + libraries)
    for plugin in ctx.attr.plugins:  # what the plugins need at run time (their data) comes along
        runfiles = runfiles.merge(plugin[DefaultInfo].default_runfiles)
    return [DefaultInfo(files = depset([manifest]), runfiles = runfiles)]

# A set of plugins shipped in a binary's runfiles: <name>.txt lists them (runfiles paths) and the
# libraries come along as runfiles. //plugins:builtin_plugins is the set mptest loads by default
# (core/plugin/flags.h: kBuiltinPluginManifest); a binary gets it with data = [that label].
mptest_plugin_set = rule(
    implementation = _mptest_plugin_set_impl,
    attrs = {"plugins": attr.label_list(allow_files = [".so"])},
)

def _copy(ctx, source, destination):
    out = ctx.actions.declare_file(destination)
    ctx.actions.run_shell(
        inputs = [source],
        outputs = [out],
        command = 'cp "$1" "$2"',
        arguments = [source.path, out.path],
    )
    return out

def _sdk_archive(ctx, merged, name, core_proto):
    """<sdk>/lib<name>.a: the PIC objects of mptest's own libraries in `merged` (a CcInfo), either
    the core's generated protobuf code (core_proto) or everything else."""
    archives = []
    for linker_input in merged.linking_context.linker_inputs.to_list():
        owner = linker_input.owner
        if owner.workspace_name != "" or _is_core_proto(owner) != core_proto:
            continue
        for library in linker_input.libraries:
            archive = library.pic_static_library or library.static_library
            if archive:
                archives.append(archive)
    out = ctx.actions.declare_file("%s/lib%s.a" % (ctx.label.name, name))
    script = "\n".join(["CREATE " + out.path] + ["ADDLIB " + a.path for a in archives] +
                        ["SAVE", "END", ""])
    ar = ctx.attr._cc_toolchain[cc_common.CcToolchainInfo].ar_executable
    ctx.actions.run_shell(
        inputs = depset(archives, transitive = [ctx.attr._cc_toolchain[DefaultInfo].files]),
        outputs = [out],
        command = 'printf "%s" "$2" | "$1" -M',
        arguments = [ar, script],
        mnemonic = "SdkArchive",
    )
    return out

def _mptest_sdk_impl(ctx):
    headers = [
        h
        for dep in ctx.attr.deps
        for h in dep[CcInfo].compilation_context.headers.to_list()
        if h.owner.workspace_name == "" and not h.path.startswith("external/")
    ]
    outputs = [
        _copy(ctx, header, "%s/include/%s" % (ctx.label.name, header.short_path))
        for header in headers
    ] + [
        _copy(ctx, extra, "%s/%s" % (ctx.label.name, extra.basename))
        for extra in ctx.files.files
    ]
    merged = cc_common.merge_cc_infos(cc_infos = [dep[CcInfo] for dep in ctx.attr.deps])
    outputs.append(_sdk_archive(ctx, merged, "mptest_plugin_sdk", core_proto = False))
    outputs.append(_sdk_archive(ctx, merged, "mptest_proto", core_proto = True))
    return [DefaultInfo(files = depset(outputs), runfiles = ctx.runfiles(files = outputs))]

# The plugin SDK as a directory for builds outside this workspace: <name>/include/ holds the
# headers of `deps` that belong to mptest (sources and generated .pb.h),
# <name>/libmptest_plugin_sdk.a the compiled code of those deps except the core's generated
# protobuf code, which plugins leave to the mptest process, <name>/libmptest_proto.a that code
# (for programs of an author's own, never for a plugin), and `files` (the version script) sit in
# <name>/. Abseil and protobuf come from the system packages. //:install lays it out under a
# prefix with pkg-config files.
mptest_sdk = rule(
    implementation = _mptest_sdk_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "files": attr.label_list(allow_files = True),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
)
