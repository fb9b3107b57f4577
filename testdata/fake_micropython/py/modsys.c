// Fake excerpt of micropython's py/modsys.c: the line the builder reads the sys.version prefix from.
static const MP_DEFINE_STR_OBJ(mp_sys_version_obj, "3.4.0; " MICROPY_BANNER_NAME_AND_VERSION);
