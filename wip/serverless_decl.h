/* wip/serverless_decl.h: developed apart, merged into its header before release. */
