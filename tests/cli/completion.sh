#!/bin/sh
# completion.sh - the generated shell completions (docs/mkcompletion.py).
# bash for real: an interactive bash (--norc) sources the script and the
# completion function is driven through COMP_WORDS/COMP_CWORD as readline
# would, for subcommands, flags, values of global flags (both --flag=V,
# which bash splits at '=', and --flag V), run's chains and plugin lists
# and their options, --set settings, plugin and command names, files.
# fish for real too (complete -C); zsh is parse-checked and autoloaded by
# compinit (its #compdef line binds _ckpt to ckpt). A shell that is not
# installed is a skip. TAP; env from tests/meson.build.
set -u
TAP_NAME=completion
. "$(dirname "$0")/tap.sh"
D=$CKPT_BUILD_ROOT/docs
mkdir -p "$T/files/sub"
: >"$T/files/ckpt-a.tar"

if command -v bash >/dev/null 2>&1; then
  check "bash: the script parses" bash -n "$D/ckpt"
  # each case: the words (last one is being completed) TAB what must be
  # among the candidates, or !WORD for what must not
  cat >"$T/cases" <<'CASES'
ckpt ins	inspect
ckpt 	triage
ckpt --	--format=
ckpt --	--color=
ckpt --	--isolate
ckpt --form	--format=
ckpt inspect --ps	--ps-tree-cmd
ckpt inspect --ps	!--plugin-path=
ckpt inspect --	--files.pid=
ckpt inspect --	--format=
ckpt memparse --sea	--search-regex=
ckpt memparse --no-	--no-objects
ckpt triage --min	--min-severity=
ckpt --format 	jsonl
ckpt --format = 	json
ckpt --format = ta	table
ckpt --format = ta	!tree
ckpt --color = a	always
ckpt --color = a	auto
ckpt --limit = max-p	max-processes=
ckpt --set 	pstree.cmd=
ckpt --set pstree.	pstree.pid=
ckpt --set = sec	secrets.reveal=
ckpt run 	inspect
ckpt run pst	pstree
ckpt run pstree,so	pstree,sockets
ckpt run pstree --	--pstree.cmd
ckpt run pstree --	--cmd
ckpt run pstree --	--no-env
ckpt run pstree --	!--memory.search=
ckpt run memory --memory.sea	--memory.search=
ckpt run memory --sea	--search-hex=
ckpt run inspect --	--files.pid=
ckpt --format json run pstree --pstree.	--pstree.env
ckpt --chains x.ini run 	inspect
ckpt plugins me	memory
ckpt help tr	triage
ckpt show FILES/ckpt-	FILES/ckpt-a.tar
ckpt -v inspect FILES/ckpt-	FILES/ckpt-a.tar
ckpt run pstree FILES/ckpt-	FILES/ckpt-a.tar
ckpt list FILES/s	FILES/sub
ckpt list FILES/s	!FILES/ckpt-a.tar
CASES
  sed "s|FILES|$T/files|g" "$T/cases" >"$T/cases.abs"
  cat >"$T/drive.bash" <<'DRIVE'
set +o histexpand
source "$1"
while IFS=$'\t' read -r line want; do
  read -ra COMP_WORDS <<<"$line"
  [[ $line == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE=$line COMP_POINT=${#line}
  COMPREPLY=()
  _ckpt ckpt "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  got=" ${COMPREPLY[*]} "
  if [[ $want == !* ]]; then
    [[ $got != *" ${want#!} "* ]] && r=ok || r="not ok"
  else
    [[ $got == *" $want "* ]] && r=ok || r="not ok"
  fi
  printf '%s\t%s\t%s\t%s\n' "$r" "$line" "$want" "$got"
done <"$2"
DRIVE
  bash --norc --noprofile -i "$T/drive.bash" "$D/ckpt" "$T/cases.abs" \
    >"$T/bash.out" 2>"$T/bash.err"
  check "bash: every case ran" test "$(wc -l <"$T/bash.out")" -eq \
    "$(wc -l <"$T/cases")"
  while IFS="$(printf '\t')" read -r r line want got; do
    if [ "$r" = ok ]; then
      ok "bash: '$line' offers $want"
    else
      nok "bash: '$line' offers $want"
      echo "# got:$got"
    fi
  done <"$T/bash.out"
  # the completion is registered for the command
  check "bash: complete -p ckpt names _ckpt" bash --norc --noprofile -i -c \
    ". '$D/ckpt'; complete -p ckpt | grep -q -- '-F _ckpt'"
else
  ok "# SKIP bash is not installed"
fi

if command -v fish >/dev/null 2>&1; then
  check "fish: the script parses" fish --no-execute "$D/ckpt.fish"
  fc() { fish --no-config -c "source '$D/ckpt.fish'; complete -C '$1'" 2>&1 | cut -f1; }
  check "fish: subcommands" sh -c 'test "$(fc_out=$1; echo "$fc_out")" != ""' - "$(fc 'ckpt ins')"
  fc 'ckpt ins' >"$T/f1"
  check "fish: ckpt ins -> inspect" grep -qx inspect "$T/f1"
  fc 'ckpt inspect --ps' >"$T/f2"
  check "fish: inspect --ps -> --ps-tree-env" grep -qx -- --ps-tree-env "$T/f2"
  fc 'ckpt --format=' >"$T/f3"
  check "fish: --format= -> json" grep -qx -- --format=json "$T/f3"
  fc 'ckpt run ' >"$T/f4"
  check "fish: run -> chains and plugins" sh -c \
    'grep -qx inspect "$1" && grep -qx pstree "$1"' - "$T/f4"
  fc 'ckpt run pstree --pstree.' >"$T/f5"
  check "fish: run --pstree. -> --pstree.cmd" grep -qx -- --pstree.cmd "$T/f5"
  fc "ckpt show $T/files/ckpt-" >"$T/f6"
  check "fish: show -> files" grep -qx -- "$T/files/ckpt-a.tar" "$T/f6"
else
  ok "# SKIP fish is not installed"
fi

if command -v zsh >/dev/null 2>&1; then
  check "zsh: the script parses" zsh -n "$D/_ckpt"
  mkdir -p "$T/zfunc"
  cp "$D/_ckpt" "$T/zfunc/_ckpt"
  check "zsh: compinit binds _ckpt to ckpt" zsh -f -c \
    "fpath=('$T/zfunc' \$fpath); autoload -Uz compinit; compinit -u -d '$T/zcompdump'; [[ \${_comps[ckpt]} == _ckpt ]]"
  check "zsh: _ckpt loads and defines its function" zsh -f -c \
    "fpath=('$T/zfunc' \$fpath); autoload -Uz compinit; compinit -u -d '$T/zcompdump2'; autoload +X _ckpt; (( \${+functions[_ckpt]} ))"
else
  ok "# SKIP zsh is not installed"
fi
echo "1..$n"
