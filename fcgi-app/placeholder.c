int wg_placeholder_fcgi(void);
int wg_placeholder_fcgi(void) { return 0; }
