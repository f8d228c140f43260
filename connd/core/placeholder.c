/* placeholder */
int wg_placeholder_connd(void);
int wg_placeholder_connd(void) { return 0; }
