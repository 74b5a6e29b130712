/* tp-nodesc.c - test plugin: a shared object without a descriptor. */
int tp_nodesc_answer(void);

int
tp_nodesc_answer(void)
{
  return 42;
}
