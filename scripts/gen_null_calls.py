#!/usr/bin/python3
"""Generates tests/null_api_cases.h: for every public function (each DD_API declaration of the five
headers), one call per pointer parameter with NULL there and valid values elsewhere, and the
check of what the function documents for it (the NULL rule in each header's API rules).

    /usr/bin/python3 scripts/gen_null_calls.py          # rewrites tests/null_api_cases.h
    /usr/bin/python3 scripts/gen_null_calls.py --check  # exit 1 when the file is stale

A function with a pointer parameter and no entry in EXPECT fails the generation, and
tests/null_api_test.c fails when the headers declare anything the generated file does not list:
a new public function cannot be forgotten."""
import re, sys, os

HEADERS = ["dd_msgpack.h", "dd_propagation.h", "dd_trace.h", "dd_lambda.h", "dd_sender.h"]


def split_params(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def param_name_type(p):
    """('type text without the name', 'name', is_pointer) of one parameter."""
    m = re.match(r"^(.*\(\s*\*\s*)(\w+)(\s*\).*)$", p)  # function pointer
    if m:
        return (m.group(1) + m.group(3)).strip(), m.group(2), True
    m = re.match(r"^(.*?)(\w+)\s*(\[[^\]]*\])$", p)  # array parameter: a pointer
    if m:
        return (m.group(1).strip() + " " + m.group(3)).strip(), m.group(2), True
    m = re.match(r"^(.*?)(\w+)$", p)
    t = " ".join(m.group(1).replace("*", " * ").split()).replace("* *", "**")
    return t, m.group(2), "*" in t


def declarations(root):
    """[(header, return type, name, [(type, name, is_pointer)], declaration)] in header order, each
    name once (the prelude's functions are in every header)."""
    seen, out = set(), []
    for h in HEADERS:
        text = open(os.path.join(root, h)).read()
        for m in re.finditer(r"^DD_API\s+([^;{]*?)\s*;", text, re.M | re.S):
            decl = " ".join(m.group(1).split())
            m2 = re.match(r"^(.*?)(\w+)\s*\((.*)\)$", decl)
            ret, name, params = m2.group(1).strip(), m2.group(2), m2.group(3).strip()
            if name in seen:
                continue
            seen.add(name)
            ps = [] if params == "void" else [param_name_type(p) for p in split_params(params)]
            out.append((h, ret, name, ps, decl))
    return out



# A valid value for a parameter, by (function, parameter name), else by parameter name, else by
# type. `f` is the test's fixture (tests/null_api_test.c): a live tracer, span, Lambda state,
# sender, buffers of FX_CAP bytes, strings of FX_LEN bytes...
BY_FUNC_PARAM = {
    ("dd_headers_init", "cap"): "FX_ITEMS",
    ("dd_env_block_init", "envp_cap"): "FX_ITEMS",
    ("dd_http_header", "head"): "f->head",
    ("dd_http_header", "head_len"): "f->head_len",
    ("dd_sender_transport", "user"): "f->sender",
    ("dd_lambda_forwarder_transport", "user"): "&f->fwd",
    ("dd_sender_request", "method"): '"GET"',
    ("dd_sender_request", "path"): '"/"',
    ("dd_udp_sender_open", "host"): '"127.0.0.1"',
    ("dd_udp_sender_open_addr", "addr"): '"127.0.0.1:9"',
    ("dd_json_carrier_init", "multi"): "&f->json",
    ("dd_mp_to_json", "data"): "f->mp",
    ("dd_mp_to_json", "len"): "f->mp_len",
    ("dd_mp_reader_init", "data"): "f->mp",
    ("dd_mp_reader_init", "len"): "f->mp_len",
    ("dd_mp_patch_count", "offset"): "0",
    ("dd_mp_writer_init_fixed", "buf"): "f->ubuf",
}
BY_NAME = {
    "cap": "FX_CAP", "buf_cap": "FX_CAP", "initial_cap": "FX_CAP", "envp_cap": "FX_ITEMS",
    "n_tags": "1", "n_headers": "1", "n": "1", "timeout_ms": "100", "max_body": "FX_CAP",
    "max_items": "8", "max_bytes": "FX_CAP", "port": "9", "default_port": "9",
}
BY_TYPE = {
    "const char *": "f->str", "char *": "f->out", "const char **": "&f->cp", "char **": "f->envp",
    "const char * const *": "f->tags", "size_t *": "&f->sz", "int *": "&f->i", "uint32_t *": "&f->u32",
    "uint64_t *": "&f->u64", "int64_t *": "&f->i64", "int8_t *": "&f->i8", "double *": "&f->d",
    "uint8_t *": "f->ubuf", "uint8_t [32]": "f->ubuf", "char [33]": "f->out", "char [21]": "f->out",
    "char [17]": "f->out", "void *": "f", "const void *": "f->str", "const void **": "&f->vp",
    "dd_tracer *": "f->tracer", "const dd_tracer *": "f->tracer", "dd_span *": "f->span",
    "const dd_span *": "f->span", "dd_mp_writer *": "&f->w", "const dd_mp_writer *": "&f->w",
    "dd_mp_reader *": "&f->r", "const dd_mp_reader *": "&f->r", "dd_trace_context *": "&f->ctx",
    "const dd_trace_context *": "&f->ctx", "dd_json *": "&f->json_out", "const dd_json *": "&f->json",
    "dd_json_iter *": "&f->it", "dd_json_carrier *": "&f->jc", "dd_carrier_reader *": "&f->creader",
    "const dd_carrier_reader *": "&f->creader", "dd_carrier_writer *": "&f->cwriter",
    "const dd_carrier_writer *": "&f->cwriter", "dd_headers *": "&f->headers",
    "const dd_headers *": "&f->headers", "dd_header *": "f->items", "const dd_header *": "f->hdr",
    "dd_baggage *": "&f->baggage", "const dd_baggage *": "&f->baggage", "dd_baggage_iter *": "&f->bit",
    "dd_env_block *": "&f->envb", "dd_env_source *": "&f->envsrc", "dd_cstr_carrier *": "&f->cstr",
    "dd_propagation_config *": "&f->prop", "const dd_propagation_config *": "&f->prop",
    "dd_lambda *": "f->lambda", "const dd_lambda *": "f->lambda", "const dd_lambda_config *": "&f->lcfg",
    "const dd_lambda_options *": "&f->lopt", "const dd_lambda_invocation *": "&f->inv",
    "dd_lambda_trigger *": "&f->trig", "dd_sender *": "f->sender", "const dd_sender *": "f->sender",
    "dd_sender_options *": "&f->sopt", "const dd_sender_options *": "&f->sopt",
    "dd_sender_endpoint *": "&f->ep", "dd_sender_stats *": "&f->sst", "dd_udp_sender *": "f->udp",
    "const dd_udp_sender *": "f->udp", "dd_http_response *": "&f->resp", "const dd_http_response *": "&f->resp",
    "const dd_http_request *": "&f->req", "dd_http_parser *": "&f->parser",
    "dd_tracer_config *": "&f->tcfg", "const dd_tracer_config *": "&f->tcfg", "dd_counters *": "&f->counters",
    "const dd_span_options *": "&f->spo", "const dd_span_link *": "&f->link", "dd_trace_id *": "&f->tid",
    "const dd_trace_id *": "&f->tid", "const dd_allocator *": "&f->alloc",
    "const char *(*)(void *user, const char *name)": "fx_getenv",
    "int (*)(void *user, const char *name, const char *value)": "fx_set", "dd_log_fn": "fx_log",
    "size_t": "FX_LEN", "int": "1", "int64_t": "1", "uint64_t": "1", "uint32_t": "1", "int8_t": "1",
    "double": "1.0", "float": "1.0f",
}
FUNC_POINTER_TYPES = {"dd_log_fn"}  # typedefs of function pointers: pointer parameters too

# What each function does with NULL in a pointer position (its header documents it): "inval"
# (returns DD_ERR_INVALID_ARG), "err" (returns its own DD_ERR_* status, e.g. DD_ERR_NOT_FOUND for
# a lookup), "zero", "null", "empty" (returns ""), "minus1", "notsent" (DD_TRANSPORT_NOT_SENT),
# "measure" (a NULL output buffer is capacity 0: the length is returned, nothing written),
# "void" (does nothing: no crash), "any" (NULL is a documented value there, e.g. "NULL =
# defaults": the call runs normally), or "expr:<C expression of r and f>". A dict gives one per parameter, "*" for the others. Every function with a
# pointer parameter needs an entry.
EXPECT = {
    "dd_mp_writer_init_fixed": "void",
    "dd_mp_writer_init_growable": "void",
    "dd_mp_writer_reset": "void",
    "dd_mp_writer_free": "void",
    "dd_mp_writer_finish": {"*": "inval", "used": "any"},
    "dd_mp_writer_error": "inval",
    "dd_mp_writer_data": "null",
    "dd_mp_writer_size": "zero",
    "dd_mp_write_nil": "void",
    "dd_mp_write_bool": "void",
    "dd_mp_write_u64": "void",
    "dd_mp_write_i64": "void",
    "dd_mp_write_f32": "void",
    "dd_mp_write_f64": "void",
    "dd_mp_write_str": "void",
    "dd_mp_write_cstr": "void",
    "dd_mp_write_bin": "void",
    "dd_mp_write_array": "void",
    "dd_mp_write_map": "void",
    "dd_mp_write_ext": "void",
    "dd_mp_write_raw": "void",
    "dd_mp_reserve_array": {"*": "zero", "w": "expr:r == (size_t)-1"},
    "dd_mp_reserve_map": {"*": "zero", "w": "expr:r == (size_t)-1"},
    "dd_mp_patch_count": "void",
    "dd_mp_reader_init": "void",
    "dd_mp_reader_error": "inval",
    "dd_mp_reader_remaining": "zero",
    "dd_mp_peek_type": "inval",
    "dd_mp_read_nil": "inval",
    "dd_mp_read_bool": "inval",
    "dd_mp_read_u64": "inval",
    "dd_mp_read_i64": "inval",
    "dd_mp_read_f64": "inval",
    "dd_mp_read_str": "inval",
    "dd_mp_read_bin": "inval",
    "dd_mp_read_array": "inval",
    "dd_mp_read_map": "inval",
    "dd_mp_read_ext": "inval",
    "dd_mp_skip": "inval",
    "dd_mp_to_json": {"*": "zero", "out": "measure"},
    "dd_u64_to_dec": "zero",
    "dd_u64_to_hex16": "zero",
    "dd_trace_id_to_hex32": "zero",
    "dd_u64_from_dec": {"*": "inval", "s": "err"},
    "dd_u64_from_hex": {"*": "inval", "s": "err"},
    "dd_trace_id_from_hex": {"*": "inval", "s": "err"},
    "dd_ptags_get": {"*": "inval", "ctx": "err", "key": "err"},
    "dd_ptags_set": {"*": "inval", "ctx": "err", "key": "err", "val": "err"},
    "dd_ptags_remove": {"*": "inval", "ctx": "err", "key": "err"},
    "dd_baggage_get": {"*": "inval", "b": "err", "key": "err", "val": "err", "val_len": "err"},
    "dd_baggage_set": "inval",
    "dd_baggage_remove": {"*": "inval", "b": "err", "key": "err"},
    "dd_baggage_clear": "void",
    "dd_baggage_next": {"*": "inval", "b": "err", "it": "err", "key": "err", "key_len": "err", "val": "err", "val_len": "err"},
    "dd_baggage_parse": {"*": "inval", "truncated": "err"},
    "dd_baggage_format": "zero",
    "dd_headers_init": "void",
    "dd_headers_reader": "void",
    "dd_headers_writer": "void",
    "dd_cstr_carrier_reader": "void",
    "dd_cstr_carrier_writer": "void",
    "dd_env_reader": "void",
    "dd_env_block_init": "void",
    "dd_env_block_writer": "void",
    "dd_propagation_config_default": "void",
    "dd_propagation_parse_styles": {"*": "inval", "s": "err"},
    "dd_propagation_config_from_env": {"*": "inval", "getenv_fn": "any", "log_fn": "any", "user": "any"},
    "dd_extract": {"*": "inval", "cfg": "err"},
    "dd_inject": {"*": "inval", "cfg": "any"},
    "dd_inject_checked": {"*": "inval", "cfg": "any", "error": "any"},
    "dd_xray_parse": {"*": "inval", "value": "err"},
    "dd_xray_format": {"*": "zero", "out": "measure"},
    "dd_json_parse": "inval",
    "dd_json_get": "inval",
    "dd_json_at": "inval",
    "dd_json_iter_init": "void",
    "dd_json_next": {"*": "inval", "it": "err", "key": "any", "val": "any"},
    "dd_json_string": {"*": "inval", "len": "err", "out": "err", "v": "err"},
    "dd_json_string_eq": {"*": "inval", "s": "zero", "v": "zero"},
    "dd_json_number": "inval",
    "dd_json_u64": "inval",
    "dd_json_path": "inval",
    "dd_json_carrier_init": "void",
    "dd_datadog_extract": {"*": "inval", "cfg": "err"},
    "dd_datadog_inject": {"*": "zero", "cfg": "any", "out": "measure"},
    "dd_tracer_config_init": "void",
    "dd_tracer_new": {"*": "null", "cfg": "any"},
    "dd_tracer_free": "void",
    "dd_tracer_flush": "inval",
    "dd_tracer_counters": "void",
    "dd_tracer_service": {"*": "null", "t": "empty"},
    "dd_tracer_env": {"*": "null", "t": "empty"},
    "dd_tracer_version": {"*": "null", "t": "empty"},
    "dd_span_start": {"*": "null", "opts": "any"},
    "dd_span_start_child": {"*": "null", "name": "any"},
    "dd_span_start_child_n": {"*": "null", "name": "any"},
    "dd_span_start_child_static": {"*": "null", "name": "any"},
    "dd_span_finish": "void",
    "dd_span_finish_at": "void",
    "dd_span_set_start": "void",
    "dd_span_set_name": "void",
    "dd_span_set_name_n": "void",
    "dd_span_set_service": "void",
    "dd_span_set_service_n": "void",
    "dd_span_set_resource": "void",
    "dd_span_set_resource_n": "void",
    "dd_span_set_type": "void",
    "dd_span_set_type_n": "void",
    "dd_span_set_tag": "void",
    "dd_span_set_tag_n": "void",
    "dd_span_set_metric": "void",
    "dd_span_set_metric_n": "void",
    "dd_span_set_resource_static": "void",
    "dd_span_set_tag_static": "void",
    "dd_span_set_tag_static_n": "void",
    "dd_span_set_metric_static": "void",
    "dd_span_set_error": "void",
    "dd_span_set_error_info": "void",
    "dd_span_set_error_info_n": "void",
    "dd_span_set_kind": "void",
    "dd_span_set_kind_n": "void",
    "dd_span_set_origin": "void",
    "dd_span_set_origin_n": "void",
    "dd_span_set_measured": "void",
    "dd_span_set_priority": "void",
    "dd_span_get_tag": {"*": "inval", "key": "err", "s": "err", "value": "err", "value_len": "err"},
    "dd_span_get_metric": {"*": "inval", "key": "err", "s": "err", "value": "err"},
    "dd_span_baggage_set": {"*": "inval", "value": "any"},
    "dd_span_baggage_get": {"*": "inval", "key": "err", "s": "err", "value": "err", "value_len": "err"},
    "dd_span_baggage_remove": {"*": "inval", "key": "err", "s": "err"},
    "dd_span_baggage_clear": "void",
    "dd_span_baggage": "null",
    "dd_span_set_http_request": "void",
    "dd_span_set_http_route": "void",
    "dd_span_set_http_client_ip": "void",
    "dd_span_set_http_response": "void",
    "dd_span_add_link": "inval",
    "dd_span_add_link_attrs": "inval",
    "dd_span_trace_id": "void",
    "dd_span_id": "zero",
    "dd_span_parent_id": "zero",
    "dd_span_tracer": "null",
    "dd_span_context": "inval",
    "dd_span_inject": "inval",
    "dd_span_inject_headers": "inval",
    "dd_span_inject_cstr": {"*": "inval", "user": "any"},
    "dd_span_inject_env": "inval",
    "dd_span_inject_datadog_json": {"*": "zero", "out": "measure"},
    "dd_tracer_extract": {"*": "inval", "t": "err"},
    "dd_tracer_extract_headers": {"*": "inval", "headers": "err", "t": "err"},
    "dd_tracer_extract_cstr": {"*": "inval", "get_fn": "err", "t": "err", "user": "err"},
    "dd_tracer_extract_env": {"*": "inval", "getenv_fn": "err", "t": "err", "user": "err"},
    "dd_tracer_extract_datadog_json": {"*": "inval", "t": "err"},
    "dd_tracer_propagation": "null",
    "dd_span_log_correlation": {"*": "zero", "s": "any", "out": "measure"},
    "dd_base64_decode": {"*": "inval", "out": "err", "out_len": "err"},
    "dd_sha256": "void",
    "dd_sfn_hash": {"*": "zero", "s": "any"},
    "dd_lambda_extract": {"*": "inval", "cfg": "err", "trigger": "err"},
    "dd_lambda_parent": {"*": "inval", "cfg": "err"},
    "dd_xray_subsegment": "zero",
    "dd_lambda_send_trace_metadata": {"*": "inval", "cfg": "err", "ctx": "err"},
    "dd_xray_send_metadata": {"*": "inval", "cfg": "err", "key": "err", "value_json": "err"},
    "dd_lambda_new": {"*": "null", "opts": "any"},
    "dd_lambda_free": "void",
    "dd_lambda_start_invocation": {"*": "null", "trigger": "any"},
    "dd_lambda_end_invocation": {"*": "inval", "response": "any", "span": "any"},
    "dd_lambda_set_invocation_error": "void",
    "dd_lambda_log_prefix": {"*": "zero", "span": "any", "out": "measure"},
    "dd_lambda_log_json": {"*": "zero", "span": "any", "out": "measure"},
    "dd_lambda_log_line": {"*": "zero", "l": "any", "level": "any", "message": "any", "request_id": "any", "span": "any", "out": "measure"},
    "dd_dogstatsd_distribution": {"*": "zero", "out": "measure"},
    "dd_lambda_metric_line": {"*": "zero", "out": "measure"},
    "dd_lambda_metric": "inval",
    "dd_lambda_mode": {"*": "inval", "l": "zero"},
    "dd_lambda_forwarder_transport": {"*": "inval", "req": "expr:r == DD_TRANSPORT_ANSWERED && f->resp.status == 400", "user": "expr:r == DD_TRANSPORT_ANSWERED && f->resp.status == 400", "resp": "notsent"},
    "dd_sender_options_init": "void",
    "dd_sender_resolve": {"*": "inval", "opts": "any"},
    "dd_sender_new": {"*": "null", "opts": "any"},
    "dd_sender_free": "void",
    "dd_sender_attach": "void",
    "dd_sender_url": {"*": "null", "s": "empty"},
    "dd_sender_note": {"*": "null", "s": "empty"},
    "dd_sender_counters": "void",
    "dd_sender_request": {"*": "inval", "body": "notsent", "headers": "notsent", "method": "notsent", "path": "notsent", "resp": "notsent", "s": "notsent"},
    "dd_sender_transport": {"*": "inval", "req": "notsent", "resp": "notsent", "user": "notsent"},
    "dd_http_response_header": "void",
    "dd_sender_response_header": "null",
    "dd_sender_last_error": {"*": "null", "s": "expr:r != NULL"},
    "dd_http_parser_init": "void",
    "dd_http_parse": "inval",
    "dd_http_parse_eof": "inval",
    "dd_http_header": "null",
    "dd_http_retry_after_ms": {"*": "zero", "value": "minus1"},
    "dd_udp_sender_open": "null",
    "dd_udp_sender_open_addr": "null",
    "dd_udp_send": "inval",
    "dd_udp_sender_counters": "void",
    "dd_udp_sender_close": "void",
}

# Statements run after a case (r is the result), for calls that legitimately create something.
CLEANUP = {
    "dd_tracer_new": "dd_tracer_free(r);",
    "dd_lambda_new": "dd_lambda_free(r);",
    "dd_sender_new": "dd_sender_free(r);",
    "dd_span_start": "dd_span_finish(r);",
    "dd_span_start_child": "dd_span_finish(r);",
    "dd_span_start_child_n": "dd_span_finish(r);",
    "dd_span_start_child_static": "dd_span_finish(r);",
    "dd_udp_sender_open": "dd_udp_sender_close(r);",
    "dd_udp_sender_open_addr": "dd_udp_sender_close(r);",
}


def value(func, ptype, pname):
    if (func, pname) in BY_FUNC_PARAM:
        return BY_FUNC_PARAM[(func, pname)]
    if pname in BY_NAME and "*" not in ptype:
        return BY_NAME[pname]
    if ptype in BY_TYPE:
        return BY_TYPE[ptype]
    raise SystemExit("gen_null_calls: no valid value for %s(%s %s): add it to BY_TYPE" % (func, ptype, pname))


CHECKS = {
    "inval": "r == DD_ERR_INVALID_ARG", "zero": "r == 0", "null": "r == NULL", "empty": "r != NULL && r[0] == 0",
    "notsent": "r == DD_TRANSPORT_NOT_SENT", "minus1": "r == -1", "any": "1", "err": "r < 0",
    "measure": "r == m",
}


ERROR_CHECKS = {CHECKS[k] for k in ("inval", "err", "zero", "null", "minus1", "notsent")}


def check_of(func, pname):
    e = EXPECT.get(func)
    if e is None:
        raise SystemExit("gen_null_calls: %s has pointer parameters and no entry in EXPECT" % func)
    if isinstance(e, dict):
        e = e.get(pname, e.get("*"))
    if e == "void":
        return None
    if e.startswith("expr:"):
        return e[5:]
    return CHECKS[e]


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(root):
    decls = declarations(root)
    out = ["/* tests/null_api_cases.h - GENERATED by scripts/gen_null_calls.py from the DD_API declarations",
           " * of the five headers; do not edit (run /usr/bin/python3 scripts/gen_null_calls.py). For each",
           " * public function, one case per pointer parameter: NULL there, valid values elsewhere, and the",
           " * check of what the function documents. tests/null_api_test.c runs them. */", ""]
    out.append("/* Every declaration, as written (whitespace collapsed): the test compares it with the headers. */")
    out.append("static const char *const null_api_decls[] = {")
    for h, ret, name, ps, decl in decls:
        out.append("    %s," % c_string(decl))
    out.append("};")
    out.append("")
    cases = []
    for h, ret, name, ps, decl in decls:
        for i, (ptype, pname, is_ptr) in enumerate(ps):
            if not (is_ptr or ptype in FUNC_POINTER_TYPES):
                continue
            args = []
            for j, (t2, n2, p2) in enumerate(ps):
                args.append("NULL" if j == i else value(name, t2, n2))
            call = "%s(%s)" % (name, ", ".join(args))
            chk = check_of(name, pname)
            cid = "nc_%d" % len(cases)
            body = []
            if ret == "void" or chk is None:
                body.append("    %s;" % call)
                chk = chk or "1"
                if ret != "void":
                    body = ["    %s r = %s;" % (ret, call), "    (void)r;"]
            else:
                body.append("    %s r = %s;" % (ret, call))
            if chk == "r == m":  # the same call measuring: NULL output and capacity 0
                margs = ["0" if n2 == "cap" else a for a, (t2, n2, p2) in zip(args, ps)]
                body.append("    %s m = %s(%s);" % (ret, name, ", ".join(margs)))
            if chk == "1" and ret != "void" and "    (void)r;" not in body and name not in CLEANUP:
                body.append("    (void)r;")
            ok = "    int ok = %s;" % chk
            body.append(ok)
            if chk in ERROR_CHECKS:  # an error writes nothing (a NUL at out[0] at most)
                body.append("    ok = ok && fx_untouched(f);")
            if ret != "void" and chk != "1":
                if ret.endswith("*"):
                    body.append('    if (!ok) printf("  got %s\\n", r ? "non-NULL" : "NULL");')
                else:
                    body.append('    if (!ok) printf("  got %lld\\n", (long long)r);')
            if name in CLEANUP:
                body.append("    " + CLEANUP[name])
            out.append("static int %s(fx *f) { /* %s: %s = NULL */" % (cid, name, pname))
            out.append("    (void)f;")
            out.extend(body)
            out.append("    return ok;")
            out.append("}")
            cases.append((cid, name, pname))
    out.append("")
    out.append("static const null_case null_cases[] = {")
    for cid, name, pname in cases:
        out.append('    {%s, %s, %s},' % (c_string(name), c_string(pname), cid))
    out.append("};")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    path = os.path.join(root, "tests", "null_api_cases.h")
    text = generate(root)
    if "--check" in sys.argv[1:]:
        old = open(path).read() if os.path.exists(path) else ""
        if old != text:
            sys.stderr.write("gen_null_calls: tests/null_api_cases.h is stale: run /usr/bin/python3 scripts/gen_null_calls.py\n")
            sys.exit(1)
        sys.exit(0)
    open(path, "w").write(text)
