/* wip/lambda_decl.h: developed apart, merged into its header before release. */
