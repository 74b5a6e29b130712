#!/bin/sh
# The core's layers (core/meson.build, README's layout table): a file may
# include headers of its own layer and of the layers below it, never of one
# above. Order, bottom to top: util archive criu, then the SDK header
# (ckpt/plugin.h: the views the model implements), model host render cli.
TAP_NAME=layers
. "$(dirname "$0")/tap.sh"
core=${CKPT_SOURCE_ROOT:?}/core
order="util archive criu ckpt model host render cli"
rank() {
  r=0
  for l in $order; do
    [ "$l" = "$1" ] && { echo $r; return; }
    r=$((r + 1))
  done
  echo 99
}
echo "1..$(($(echo $order | wc -w) + 1))"
for layer in $(echo $order | sed "s/ ckpt / /"); do
  mine=$(rank "$layer")
  bad=""
  for f in "$core/$layer"/*.[ch]; do
    for inc in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
      [ "$(rank "$inc")" -gt "$mine" ] && bad="$bad ${f#$core/}:$inc"
    done
  done
  # every file of the core sits in a layer
  [ "$layer" = cli ] && for f in "$core"/*.[ch]; do
    [ -e "$f" ] && bad="$bad ${f#$core/}:outside-a-layer"
  done
  if [ -z "$bad" ]; then ok "$layer includes only its own layer and those below"
  else nok "$layer includes a layer above it:$bad"; fi
done

# The CLI is sugar: it neither opens a checkpoint nor reads the model or
# the image set, and it adds no rows of its own (the host's sweep engine,
# targets and catalog do). Checked on what its objects call, so an include
# through another header does not hide a call.
cli_bad=""
for f in "$core/cli"/*.c; do
  inc=$(sed -n 's/^#include "\(model\|archive\|criu\)\/.*/\1/p' "$f")
  [ -n "$inc" ] && cli_bad="$cli_bad ${f#$core/}:$inc"
done
if [ -z "$cli_bad" ]; then ok "cli includes no model, archive or criu header"
else nok "cli includes a header below the host:$cli_bad"; fi
lib=${CKPT_BUILD_ROOT:-}/core/libckpt-cli.a
if ! command -v nm >/dev/null 2>&1 || [ ! -f "$lib" ]; then
  ok "# SKIP no nm or no $lib"
else
  calls=$(nm -u "$lib" | awk '{print $2}' | grep -E \
    '^ckpt_(checkpoint|model|imageset|image|mem|diff|object|objects|procs|files|ns|meta|environ)_|^ckpt_report_add_row$' |
    sort -u | tr '\n' ' ')
  if [ -z "$calls" ]; then ok "cli objects open no checkpoint, read no model, add no rows"
  else nok "cli objects call: $calls"; fi
fi
