"""mptest_install_manifest: what //:install copies where, as one file the installer reads."""

load("//core/plugin:plugin.bzl", "runfiles_path")

def _sdk_destination(path):
    # <sdk>/include/... -> include/..., <sdk>/lib*.a -> lib/, the version script -> lib/mptest/.
    if path.startswith("include/"):
        return path
    if path.endswith(".a"):
        return "lib/" + path
    return "lib/mptest/" + path

def _mptest_install_manifest_impl(ctx):
    binary = ctx.attr.binary[DefaultInfo]
    executable = ctx.executable.binary
    lines = ["bin/%s\t%s" % (executable.basename, runfiles_path(ctx, executable))]
    for f in binary.default_runfiles.files.to_list():
        if f == executable:
            continue
        path = runfiles_path(ctx, f)
        lines.append("lib/%s\t%s" % (path, path))  # <prefix>/lib is the installed runfiles root
    sdk_dir = ctx.attr.sdk.label.package + "/" + ctx.attr.sdk.label.name + "/"
    for f in ctx.files.sdk:
        destination = _sdk_destination(f.short_path[len(sdk_dir):])
        lines.append("%s\t%s" % (destination, runfiles_path(ctx, f)))
    for f in ctx.files.pkgconfig:
        lines.append("lib/pkgconfig/%s\t%s" % (f.basename, runfiles_path(ctx, f)))
    manifest = ctx.actions.declare_file(ctx.label.name + ".txt")
    ctx.actions.write(manifest, "\n".join(sorted(lines)) + "\n")
    runfiles = ctx.runfiles(files = [manifest] + ctx.files.pkgconfig + ctx.files.sdk)
    runfiles = runfiles.merge(binary.default_runfiles)
    return [DefaultInfo(files = depset([manifest]), runfiles = runfiles)]

# <name>.txt lists "<destination under the prefix>\t<runfiles path>" for every installed file:
# `binary` in bin/, its runfiles under lib/ (so <prefix>/lib/mptest mirrors the runfiles'
# mptest/: core/install/installed_root.h), the SDK directory (`sdk`, an mptest_sdk) as include/,
# lib/ and lib/mptest/, and the pkg-config files in lib/pkgconfig/. The files come along as
# runfiles.
mptest_install_manifest = rule(
    implementation = _mptest_install_manifest_impl,
    attrs = {
        "binary": attr.label(executable = True, cfg = "target"),
        "sdk": attr.label(allow_files = True),
        "pkgconfig": attr.label_list(allow_files = [".pc"]),
    },
)
