/* Bad plugin: a shared object without the mptest_plugin_entry symbol. */
int mptest_plugin_entry_misspelled(void) { return 0; }
