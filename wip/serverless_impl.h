/* wip/serverless_impl.h: developed apart, merged into its header before release. */
