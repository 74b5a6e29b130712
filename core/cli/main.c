/* main.c - the ckpt executable's entry point; everything else is in
 * cli.c and the cli-*.c subcommands. */
#include <locale.h>

int ckpt_cli_main(int argc, char **argv);

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  return ckpt_cli_main(argc, argv);
}
