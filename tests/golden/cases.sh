#!/bin/sh
# Prints the golden cases of cases.txt, one "SLUG<TAB>ARGS" line each, with
# @F@ expanded to every fixture. SLUG names the case's file in out/.
here=$(dirname "$0")
fixtures=$(sed -n 's/^FIXTURES //p' "$here/cases.txt")
grep -v -e '^#' -e '^FIXTURES ' -e '^$' "$here/cases.txt" |
while IFS= read -r line; do
  case $line in
  *@F@*) for f in $fixtures; do
      echo "$line" | sed "s#@F@#$f#g"
    done ;;
  *) echo "$line" ;;
  esac
done | while IFS= read -r args; do
  slug=$(printf '%s' "$args" | tr -c 'A-Za-z0-9.,=+-' '_')
  printf '%s\t%s\n' "$slug" "$args"
done
