// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * tangle - write the C of mmuspec out of its chapters.
 *
 * The chapters in doc/ are the single source of ref/ and examples/. This
 * tool parses them with cmark (the CommonMark reference parser), collects
 * the fenced code blocks whose info string names an output file or a chunk,
 * expands <<chunk>> references and writes the files, each with an SPDX line,
 * a "generated" banner and #line directives that point back at the chapter.
 *
 *   tangle [--out DIR] CHAPTER...     write the files under DIR/ref, DIR/examples
 *   tangle --check [--out DIR] CH...  compare with DIR instead of writing
 *   tangle --rules CHAPTER...         print the rule index, lint rule IDs
 *
 * Chapter 01 (doc/01-literate.md) is the user's manual of this tool.
 * Every error is reported as "file:line[:col]: error: message"; all errors
 * are collected, sorted, de-duplicated and printed, then tangle exits 1.
 */
#define _GNU_SOURCE
#include <cmark.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CHAPTER_BYTES (4u << 20)
#define MAX_EXPANSION_DEPTH 64

struct chapter {
	const char *path;
	char *buf;		/* the file, NUL-terminated */
	size_t len;
	size_t *line_off;	/* byte offset of each line (1-based index) */
	size_t nlines;
};

/* A run of lines of one chapter that belongs to a file or a chunk. */
struct frag {
	int ch;			/* chapter index */
	int fence_line;		/* line of the opening fence */
	int first, last;	/* content lines, inclusive; last < first: empty */
};

enum tstate { T_IDLE, T_ACTIVE };

struct target {
	char *name;		/* output path or chunk name */
	bool is_file;
	struct frag *frags;
	size_t nfrags, cap;
	bool used;
	enum tstate state;
};

/* Where one output line came from, for --check reports. */
struct origin {
	int ch, line;
};

struct outbuf {
	char *s;
	size_t len, cap;
	struct origin *org;
	size_t nlines, orgcap;
	bool *chapters;		/* which chapters contributed */
};

struct diag {
	char *file;
	int line, col;
	char *msg;
	int order;		/* chapter index, for sorting; -1: not a chapter */
};

static struct chapter *chapters;
static int nchapters;
static struct target **targets;
static size_t ntargets, targets_cap;
static struct diag *diags;
static size_t ndiags, diags_cap;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "tangle: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static void diag_add(const char *file, int order, int line, int col,
		     const char *fmt, ...)
{
	struct diag *d;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0) {
		fprintf(stderr, "tangle: out of memory\n");
		exit(2);
	}
	va_end(ap);
	if (ndiags == diags_cap) {
		diags_cap = diags_cap ? 2 * diags_cap : 16;
		diags = xrealloc(diags, diags_cap * sizeof(*diags));
	}
	d = &diags[ndiags++];
	d->file = xstrdup(file);
	d->order = order;
	d->line = line;
	d->col = col;
	d->msg = msg;
}

#define chapter_error(ch, line, col, ...) \
	diag_add(chapters[ch].path, ch, line, col, __VA_ARGS__)

static int diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;
	int r;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	r = strcmp(x->file, y->file);
	if (r)
		return r;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

/* Print the collected errors in document order, each once; return count. */
static size_t diag_flush(void)
{
	size_t i, shown = 0;

	if (ndiags)
		qsort(diags, ndiags, sizeof(*diags), diag_cmp);
	for (i = 0; i < ndiags; i++) {
		if (i && !diag_cmp(&diags[i], &diags[i - 1]))
			continue;
		if (diags[i].col)
			fprintf(stderr, "%s:%d:%d: error: %s\n", diags[i].file,
				diags[i].line, diags[i].col, diags[i].msg);
		else
			fprintf(stderr, "%s:%d: error: %s\n", diags[i].file,
				diags[i].line, diags[i].msg);
		shown++;
	}
	return shown;
}

/* ------------------------------------------------------------------------ */
/* Reading chapters                                                          */

static const char *line_ptr(const struct chapter *c, int line, size_t *len)
{
	size_t a = c->line_off[line], b;

	b = (size_t)line < c->nlines ? c->line_off[line + 1] : c->len;
	if (b > a && c->buf[b - 1] == '\n')
		b--;
	*len = b - a;
	return c->buf + a;
}

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return need;
}

/* Reject what no chapter should contain: NUL, invalid UTF-8, CR. */
static bool validate_text(int ch)
{
	const struct chapter *c = &chapters[ch];
	const unsigned char *s = (const unsigned char *)c->buf;
	size_t i = 0, n;
	int line = 1, col = 1;

	while (i < c->len) {
		if (s[i] == '\0' || s[i] == '\r') {
			chapter_error(ch, line, col, "%s byte in a chapter: %s",
				      s[i] ? "carriage-return" : "NUL",
				      s[i] ? "chapters use LF line endings" :
					     "chapters are UTF-8 text");
			return false;
		}
		n = utf8_len(s + i, c->len - i);
		if (!n) {
			chapter_error(ch, line, col,
				      "invalid UTF-8 (byte 0x%02x): chapters are UTF-8 text",
				      s[i]);
			return false;
		}
		if (s[i] == '\n')
			line++, col = 1;
		else
			col++;
		i += n;
	}
	return true;
}

static bool chapter_name_ok(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b);
	if (n < 7 || b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' ||
	    b[2] != '-' || strcmp(b + n - 3, ".md"))
		return false;
	for (const char *p = b + 3; p < b + n - 3; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-'))
			return false;
	return true;
}

static bool load_chapter(int ch, const char *path)
{
	struct chapter *c = &chapters[ch];
	struct stat st;
	size_t i, n;
	FILE *f;

	c->path = path;
	if (!chapter_name_ok(path)) {
		chapter_error(ch, 1, 0,
			      "chapter names have the form NN-topic.md (two digits, lower-case words joined by dashes)");
		return false;
	}
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		chapter_error(ch, 1, 0, "cannot read chapter: %s",
			      f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	if ((size_t)st.st_size > MAX_CHAPTER_BYTES) {
		chapter_error(ch, 1, 0,
			      "chapter is %lld bytes; chapters are limited to %u bytes (split it)",
			      (long long)st.st_size, MAX_CHAPTER_BYTES);
		fclose(f);
		return false;
	}
	c->buf = xrealloc(NULL, (size_t)st.st_size + 1);
	c->len = fread(c->buf, 1, (size_t)st.st_size, f);
	fclose(f);
	c->buf[c->len] = '\0';
	if (!validate_text(ch))
		return false;
	for (i = 0, n = 1; i < c->len; i++)
		if (c->buf[i] == '\n' && i + 1 < c->len)
			n++;
	c->nlines = c->len ? n : 0;
	c->line_off = xrealloc(NULL, (n + 2) * sizeof(size_t));
	c->line_off[1] = 0;
	for (i = 0, n = 1; i < c->len; i++)
		if (c->buf[i] == '\n' && i + 1 < c->len)
			c->line_off[++n] = i + 1;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Targets: output files and named chunks                                     */

static struct target *target_find(const char *name, bool is_file)
{
	for (size_t i = 0; i < ntargets; i++)
		if (targets[i]->is_file == is_file &&
		    !strcmp(targets[i]->name, name))
			return targets[i];
	return NULL;
}

static struct target *target_get(const char *name, bool is_file)
{
	struct target *t = target_find(name, is_file);

	if (t)
		return t;
	t = xrealloc(NULL, sizeof(*t));
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->is_file = is_file;
	if (ntargets == targets_cap) {
		targets_cap = targets_cap ? 2 * targets_cap : 32;
		targets = xrealloc(targets, targets_cap * sizeof(*targets));
	}
	targets[ntargets++] = t;
	return t;
}

static void target_add(struct target *t, struct frag f)
{
	if (t->nfrags == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 4;
		t->frags = xrealloc(t->frags, t->cap * sizeof(*t->frags));
	}
	t->frags[t->nfrags++] = f;
}

enum kind { K_C, K_H, K_MAKE };

static enum kind path_kind(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n = strlen(path);

	b = b ? b + 1 : path;
	if (n > 2 && !strcmp(path + n - 2, ".c"))
		return K_C;
	if (n > 2 && !strcmp(path + n - 2, ".h"))
		return K_H;
	return K_MAKE;
}

/* Why an output path is not acceptable, or NULL. */
static const char *path_problem(const char *p)
{
	const char *b = strrchr(p, '/');
	size_t n = strlen(p);

	if (strncmp(p, "ref/", 4) && strncmp(p, "examples/", 9))
		return "is outside ref/ and examples/";
	if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../") ||
	    (n >= 3 && !strcmp(p + n - 3, "/..")) || p[n - 1] == '/')
		return "is not a plain relative path (no //, . or .. parts)";
	for (const char *q = p; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || strchr("/._-+", *q)))
			return "has a character outside [A-Za-z0-9/._+-]";
	b = b ? b + 1 : p;
	if (path_kind(p) == K_MAKE && strcmp(b, "Makefile") &&
	    strcmp(b, "Kbuild"))
		return "is not a .c, .h, Makefile or Kbuild file";
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Fenced code blocks                                                        */

struct attrs {
	int nclasses;
	char *file, *chunk;
	int file_col, chunk_col;
};

/*
 * Parse a pandoc-style attribute list: {.c file=ref/x.c} or
 * {.c chunk="walk the ptes"}. @col is the column of the info string.
 */
static bool parse_attrs(int ch, int line, int col, const char *s,
			struct attrs *a)
{
	const char *p = s + 1;

	memset(a, 0, sizeof(*a));
	for (;;) {
		const char *k, *v;
		char *val;
		size_t klen;
		int kcol;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '}') {
			if (p[1]) {
				chapter_error(ch, line, col + (int)(p + 1 - s),
					      "text after the closing '}' of the attributes");
				return false;
			}
			return true;
		}
		if (!*p) {
			chapter_error(ch, line, col + (int)(p - s),
				      "attributes not closed: expected '}'");
			return false;
		}
		kcol = col + (int)(p - s);
		if (*p == '.' || *p == '#') {
			bool cls = *p == '.';

			k = ++p;
			while (*p && *p != ' ' && *p != '\t' && *p != '}')
				p++;
			if (p == k) {
				chapter_error(ch, line, kcol,
					      "empty %s name in the attributes",
					      cls ? "class" : "identifier");
				return false;
			}
			a->nclasses += cls;
			continue;
		}
		k = p;
		while (*p && *p != '=' && *p != ' ' && *p != '\t' && *p != '}')
			p++;
		klen = (size_t)(p - k);
		if (*p != '=' || !klen) {
			chapter_error(ch, line, kcol,
				      "expected '.class', '#id' or 'key=value' in the attributes");
			return false;
		}
		v = ++p;
		if (*p == '"') {
			char *w;

			val = xrealloc(NULL, strlen(p) + 1);
			w = val;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
					p++;
				*w++ = *p;
			}
			*w = '\0';
			if (*p != '"') {
				chapter_error(ch, line, col + (int)(v - s),
					      "unterminated quoted value: expected '\"'");
				free(val);
				return false;
			}
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\t' && *p != '}')
				p++;
			val = xstrndup(v, (size_t)(p - v));
		}
		if (klen == 4 && !strncmp(k, "file", 4) && !a->file) {
			a->file = val;
			a->file_col = kcol;
		} else if (klen == 5 && !strncmp(k, "chunk", 5) && !a->chunk) {
			a->chunk = val;
			a->chunk_col = kcol;
		} else if ((klen == 4 && !strncmp(k, "file", 4)) ||
			   (klen == 5 && !strncmp(k, "chunk", 5))) {
			chapter_error(ch, line, kcol, "'%.*s' given twice",
				      (int)klen, k);
			free(val);
			return false;
		} else {
			free(val);	/* other attributes are for the site */
		}
	}
}

/* Count the fence characters that open @l; 0 if it is not a fence. */
static int fence_len(const char *l, size_t n, char *fc, int *indent)
{
	size_t i = 0, j;

	while (i < n && i < 3 && l[i] == ' ')
		i++;
	if (i >= n || (l[i] != '`' && l[i] != '~'))
		return 0;
	for (j = i; j < n && l[j] == l[i]; j++)
		;
	if (j - i < 3)
		return 0;
	*fc = l[i];
	*indent = (int)i;
	return (int)(j - i);
}

static bool is_closing_fence(const char *l, size_t n, char fc, int flen)
{
	size_t i = 0, j;

	while (i < n && i < 3 && l[i] == ' ')
		i++;
	for (j = i; j < n && l[j] == fc; j++)
		;
	if ((int)(j - i) < flen)
		return false;
	while (j < n && (l[j] == ' ' || l[j] == '\t'))
		j++;
	return j == n;
}

static void free_attrs(struct attrs *a)
{
	free(a->file);
	free(a->chunk);
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

static void code_block(int ch, cmark_node *node, bool top_level)
{
	const struct chapter *c = &chapters[ch];
	int start = cmark_node_get_start_line(node);
	int end = cmark_node_get_end_line(node);
	const char *info = cmark_node_get_fence_info(node);
	const char *l, *inf;
	struct attrs a;
	struct frag f;
	int flen, indent, icol;
	size_t n;
	char fc;

	if (start < 1 || (size_t)start > c->nlines)
		return;
	l = line_ptr(c, start, &n);
	flen = fence_len(l, n, &fc, &indent);
	if (!flen) {
		if (top_level)
			chapter_error(ch, start, 0,
				      "indented code block: use a fenced block with an info string (```c, ```sh, ```text)");
		return;
	}
	l = end > start ? line_ptr(c, end, &n) : NULL;
	if (top_level && (!l || !is_closing_fence(l, n, fc, flen))) {
		chapter_error(ch, start, indent + 1,
			      "unterminated code fence: expected a closing line of at least %d '%c'",
			      flen, fc);
		return;
	}
	if (!info || !*info) {
		chapter_error(ch, start, indent + 1,
			      "code block without an info string: name its language (```c, ```sh, ```text) or tangle it ({.c file=ref/...})");
		return;
	}
	l = line_ptr(c, start, &n);
	inf = strstr(l + indent + flen, info);
	icol = inf ? (int)(inf - l) + 1 : indent + flen + 1;
	if (info[0] != '{') {
		if (strstr(info, "file=") || strstr(info, "chunk="))
			chapter_error(ch, start, icol,
				      "tangle attributes must be in braces: {.c file=...} or {.c chunk=\"...\"}");
		return;
	}
	if (!parse_attrs(ch, start, icol, info, &a))
		goto out;
	if (!a.file && !a.chunk)
		goto out;
	if (a.file && a.chunk) {
		chapter_error(ch, start, a.chunk_col,
			      "a block names either a file or a chunk, not both");
		goto out;
	}
	if (!top_level) {
		chapter_error(ch, start, indent + 1,
			      "a tangled block must be at the top level, not inside a list or quote");
		goto out;
	}
	if (a.nclasses != 1) {
		chapter_error(ch, start, icol,
			      "a tangled block needs exactly one language class, e.g. {.c file=...}");
		goto out;
	}
	f.ch = ch;
	f.fence_line = start;
	f.first = start + 1;
	f.last = end - 1;
	if (a.file) {
		const char *why = path_problem(a.file);

		if (why) {
			chapter_error(ch, start, a.file_col,
				      "output path '%s' %s", a.file, why);
			goto out;
		}
		target_add(target_get(a.file, true), f);
	} else {
		trim(a.chunk);
		if (!*a.chunk || strstr(a.chunk, ">>") || strstr(a.chunk, "<<")) {
			chapter_error(ch, start, a.chunk_col,
				      "chunk names are non-empty and contain no '<<' or '>>'");
			goto out;
		}
		target_add(target_get(a.chunk, false), f);
	}
out:
	free_attrs(&a);
}

static void scan_chapter(int ch)
{
	const struct chapter *c = &chapters[ch];
	cmark_node *doc = cmark_parse_document(c->buf, c->len, CMARK_OPT_DEFAULT);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);

		if (ev == CMARK_EVENT_ENTER &&
		    cmark_node_get_type(n) == CMARK_NODE_CODE_BLOCK)
			code_block(ch, n, cmark_node_parent(n) == doc);
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
}

/* ------------------------------------------------------------------------ */
/* Expansion                                                                 */

static void out_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->s = xrealloc(o->s, o->cap);
	}
	memcpy(o->s + o->len, s, n);
	o->len += n;
	o->s[o->len] = '\0';
}

static void out_str(struct outbuf *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* Append one output line (without its newline) made of @a then @b. */
static void out_line(struct outbuf *o, const char *a, size_t an, const char *b,
		     size_t bn, int ch, int line)
{
	if (o->nlines == o->orgcap) {
		o->orgcap = o->orgcap ? 2 * o->orgcap : 256;
		o->org = xrealloc(o->org, o->orgcap * sizeof(*o->org));
	}
	o->org[o->nlines].ch = ch;
	o->org[o->nlines].line = line;
	o->nlines++;
	if (bn)
		out_put(o, a, an);	/* no indentation on blank lines */
	out_put(o, b, bn);
	out_str(o, "\n");
}

static void out_lineno(struct outbuf *o, bool c_like, int ch, int line)
{
	char buf[64 + 4096];
	int n;

	if (!c_like)
		return;
	n = snprintf(buf, sizeof(buf), "#line %d \"%s\"", line,
		     chapters[ch].path);
	out_line(o, "", 0, buf, (size_t)n, ch, line);
}

/* If @l is a chunk reference line, return the name span and indentation. */
static bool chunk_ref(const char *l, size_t n, size_t *ind, const char **name,
		      size_t *nlen)
{
	size_t i = 0, e = n;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	while (e > i && (l[e - 1] == ' ' || l[e - 1] == '\t'))
		e--;
	if (e - i < 5 || strncmp(l + i, "<<", 2) || strncmp(l + e - 2, ">>", 2))
		return false;
	*ind = i;
	*name = l + i + 2;
	*nlen = e - i - 4;
	while (*nlen && (**name == ' ' || **name == '\t'))
		(*name)++, (*nlen)--;
	while (*nlen && ((*name)[*nlen - 1] == ' ' || (*name)[*nlen - 1] == '\t'))
		(*nlen)--;
	return *nlen > 0;
}

struct stack {
	struct target *t[MAX_EXPANSION_DEPTH + 1];
	int depth;
};

static void expand(struct target *t, struct outbuf *o, const char *indent,
		   size_t indlen, bool c_like, struct stack *st);

static void cycle_error(int ch, int line, struct stack *st,
			struct target *again)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&msg, &len);
	int i = 0;

	while (i < st->depth && st->t[i] != again)
		i++;
	for (; i < st->depth; i++)
		fprintf(m, "<<%s>> -> ", st->t[i]->name);
	fprintf(m, "<<%s>>", again->name);
	fclose(m);
	chapter_error(ch, line, 0, "chunk reference cycle: %s", msg);
	free(msg);
}

static void expand_ref(const char *name, size_t nlen, int ch, int line,
		       struct outbuf *o, const char *indent, size_t indlen,
		       bool c_like, struct stack *st)
{
	char *key = xstrndup(name, nlen);
	struct target *sub = target_find(key, false);

	if (!sub) {
		chapter_error(ch, line, 0,
			      "reference to undefined chunk <<%s>>%s", key,
			      target_find(key, true) ?
				      " (that name is an output file, not a chunk)" :
				      "");
	} else if (sub->state == T_ACTIVE) {
		cycle_error(ch, line, st, sub);
	} else if (st->depth >= MAX_EXPANSION_DEPTH) {
		chapter_error(ch, line, 0,
			      "chunks nested more than %d deep",
			      MAX_EXPANSION_DEPTH);
	} else {
		sub->used = true;
		expand(sub, o, indent, indlen, c_like, st);
	}
	free(key);
}

static void expand(struct target *t, struct outbuf *o, const char *indent,
		   size_t indlen, bool c_like, struct stack *st)
{
	st->t[st->depth++] = t;
	t->state = T_ACTIVE;
	for (size_t i = 0; i < t->nfrags; i++) {
		const struct frag *f = &t->frags[i];
		const struct chapter *c = &chapters[f->ch];

		if (o->chapters)
			o->chapters[f->ch] = true;
		out_lineno(o, c_like, f->ch, f->first);
		for (int ln = f->first; ln <= f->last; ln++) {
			const char *l, *name;
			size_t n, ind, nlen;
			char *pre;

			l = line_ptr(c, ln, &n);
			if (!chunk_ref(l, n, &ind, &name, &nlen)) {
				out_line(o, indent, indlen, l, n, f->ch, ln);
				continue;
			}
			pre = xrealloc(NULL, indlen + ind + 1);
			memcpy(pre, indent, indlen);
			memcpy(pre + indlen, l, ind);
			expand_ref(name, nlen, f->ch, ln, o, pre, indlen + ind,
				   c_like, st);
			free(pre);
			if (ln < f->last)
				out_lineno(o, c_like, f->ch, ln + 1);
		}
	}
	t->state = T_IDLE;
	st->depth--;
}

static void banner(struct outbuf *o, const char *path, const bool *used)
{
	enum kind k = path_kind(path);
	const char *lead = k == K_MAKE ? "#" : " *";
	int i;

	if (k == K_C)
		out_str(o, "// SPDX-License-Identifier: GPL-2.0-only OR MIT\n");
	else if (k == K_H)
		out_str(o, "/* SPDX-License-Identifier: GPL-2.0-only OR MIT */\n");
	else
		out_str(o, "# SPDX-License-Identifier: GPL-2.0-only OR MIT\n");
	if (k != K_MAKE)
		out_str(o, "/*\n");
	out_put(o, lead, strlen(lead));
	out_str(o, " Generated by tools/tangle from the chapters below: do not edit\n");
	out_put(o, lead, strlen(lead));
	out_str(o, " this file. Edit the chapter, then run `make tangle`.\n");
	for (i = 0; i < nchapters; i++) {
		if (!used[i])
			continue;
		out_put(o, lead, strlen(lead));
		out_str(o, "   ");
		out_put(o, chapters[i].path, strlen(chapters[i].path));
		out_str(o, "\n");
	}
	if (k != K_MAKE)
		out_str(o, " */\n");
}

/* Tangle one output file: banner, then its blocks with their chunks. */
static char *tangle_file(struct target *t, struct outbuf *body)
{
	struct outbuf all = { 0 };
	struct stack st = { .depth = 0 };

	memset(body, 0, sizeof(*body));
	body->chapters = xrealloc(NULL, (size_t)nchapters * sizeof(bool));
	memset(body->chapters, 0, (size_t)nchapters * sizeof(bool));
	expand(t, body, "", 0, path_kind(t->name) != K_MAKE, &st);
	banner(&all, t->name, body->chapters);
	all.chapters = NULL;
	out_put(&all, body->s ? body->s : "", body->len);
	return all.s;
}

/* Which line of @body starts at the @k-th line of the final text. */
static struct origin origin_of(const struct outbuf *body, const char *text,
			       size_t diff_off)
{
	size_t bline = 0, hlines = 0, i;
	size_t head = strlen(text) - body->len;
	struct origin none = { -1, 0 };

	for (i = 0; i < head; i++)
		hlines += text[i] == '\n';
	for (i = 0; i < diff_off; i++)
		bline += text[i] == '\n';
	if (!body->nlines)
		return none;
	if (bline < hlines)
		return body->org[0];
	bline -= hlines;
	if (bline >= body->nlines)
		bline = body->nlines - 1;
	return body->org[bline];
}

/* ------------------------------------------------------------------------ */
/* Writing and checking                                                      */

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len + 65536 + 1 > cap) {
			cap = (*len + 65536 + 1) * 2;
			s = xrealloc(s, cap);
		}
		n = fread(s + *len, 1, 65536, f);
		*len += n;
	} while (n);
	fclose(f);
	s[*len] = '\0';
	return s;
}

static bool mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0777) && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return true;
}

static bool write_if_changed(const char *path, const char *text)
{
	size_t len, n = strlen(text);
	char *old = read_all(path, &len), *tmp;
	FILE *f;
	bool ok;

	if (old && len == n && !memcmp(old, text, n)) {
		free(old);
		return true;
	}
	free(old);
	if (asprintf(&tmp, "%s.tangle-tmp", path) < 0)
		return false;
	ok = mkdirs(tmp) && (f = fopen(tmp, "wb")) != NULL;
	if (ok) {
		ok = fwrite(text, 1, n, f) == n;
		ok = !fclose(f) && ok;
		ok = ok && !rename(tmp, path);
		if (!ok)
			unlink(tmp);
	}
	if (!ok)
		fprintf(stderr, "%s: error: cannot write: %s\n", path,
			strerror(errno));
	free(tmp);
	return ok;
}

static char *join(const char *dir, const char *rel)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, rel) < 0) {
		fprintf(stderr, "tangle: out of memory\n");
		exit(2);
	}
	return p;
}

/* Report files under @dir/@rel that no chapter produces. */
static void find_strays(const char *dir, const char *rel)
{
	char *full = join(dir, rel);
	struct dirent **ents;
	int n = scandir(full, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		char *sub, *subfull;
		struct stat st;

		if (!strcmp(nm, ".") || !strcmp(nm, "..")) {
			free(ents[i]);
			continue;
		}
		sub = join(rel, nm);
		subfull = join(dir, sub);
		if (!lstat(subfull, &st) && S_ISDIR(st.st_mode))
			find_strays(dir, sub);
		else if (!target_find(sub, true))
			diag_add(sub, nchapters, 1, 0,
				 "no chapter produces this file: move its text into a chapter block {.c file=%s}, or delete it",
				 sub);
		free(sub);
		free(subfull);
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	free(full);
}

static void check_file(struct target *t, const char *dir, const char *text,
		       const struct outbuf *body)
{
	char *full = join(dir, t->name);
	size_t len, n = strlen(text), i;
	char *old = read_all(full, &len);
	struct origin o;

	if (!old) {
		chapter_error(t->frags[0].ch, t->frags[0].fence_line, 0,
			      "%s is produced here but missing: run `make tangle`",
			      t->name);
	} else if (len != n || memcmp(old, text, n)) {
		size_t line = 1, lim = len < n ? len : n;

		for (i = 0; i < lim && old[i] == text[i]; i++)
			line += old[i] == '\n';
		while (i && text[i - 1] != '\n')
			i--;
		o = origin_of(body, text, i);
		if (o.ch < 0)
			o = (struct origin){ t->frags[0].ch, t->frags[0].fence_line };
		chapter_error(o.ch, o.line, 0,
			      "%s:%zu differs from what the chapters produce (edited by hand? edit the chapter, then run `make tangle`)",
			      t->name, line);
	}
	free(old);
	free(full);
}

static void free_outbuf(struct outbuf *o)
{
	free(o->s);
	free(o->org);
	free(o->chapters);
}

static int cmp_target(const void *a, const void *b)
{
	const struct target *x = *(struct target *const *)a;
	const struct target *y = *(struct target *const *)b;

	if (x->is_file != y->is_file)
		return x->is_file ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int run_tangle(const char *dir, bool check)
{
	struct outbuf scratch;
	bool write_failed = false;
	size_t i, nfiles;
	char **texts;

	if (ntargets)
		qsort(targets, ntargets, sizeof(*targets), cmp_target);
	for (nfiles = 0; nfiles < ntargets && targets[nfiles]->is_file; nfiles++)
		;
	texts = xrealloc(NULL, (nfiles + 1) * sizeof(*texts));
	for (i = 0; i < nfiles; i++) {
		struct outbuf body;

		texts[i] = tangle_file(targets[i], &body);
		if (check)
			check_file(targets[i], dir, texts[i], &body);
		free_outbuf(&body);
	}
	/* Chunks reached from no file: report, and still check their refs. */
	for (i = nfiles; i < ntargets; i++) {
		struct target *t = targets[i];
		struct stack st = { .depth = 0 };

		if (t->used)
			continue;
		chapter_error(t->frags[0].ch, t->frags[0].fence_line, 0,
			      "chunk <<%s>> is defined but never used", t->name);
		memset(&scratch, 0, sizeof(scratch));
		expand(t, &scratch, "", 0, false, &st);
		free_outbuf(&scratch);
	}
	find_strays(dir, "ref");
	find_strays(dir, "examples");
	for (i = 0; i < nfiles; i++) {
		if (!check && !ndiags) {
			char *full = join(dir, targets[i]->name);

			write_failed |= !write_if_changed(full, texts[i]);
			free(full);
		}
		free(texts[i]);
	}
	free(texts);
	return diag_flush() || write_failed ? 1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Rules                                                                     */

struct rule {
	char *id;
	int ch, line;
};

static bool rule_id_ok(const char *s, size_t n)
{
	size_t i;
	bool dash = false;

	if (!n || s[0] < 'A' || s[0] > 'Z' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '-') {
			if (s[i + 1] == '-')
				return false;
			dash = true;
		} else if (!((s[i] >= 'A' && s[i] <= 'Z') ||
			     (s[i] >= '0' && s[i] <= '9'))) {
			return false;
		}
	}
	return dash;
}

/* Does a bracketed token look like an attempt at a rule ID? */
static bool rule_like(const char *s, size_t n)
{
	bool upper = false, sep = false, lower = false;

	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper = true;
		else if (s[i] >= 'a' && s[i] <= 'z')
			lower = true;
		else if (s[i] == '-' || s[i] == '_' || s[i] == ' ')
			sep = true;
		else if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return upper && (sep || !lower);
}

/* Plain text of a paragraph, inline markup dropped. */
static char *para_text(cmark_node *para)
{
	cmark_iter *it = cmark_iter_new(para);
	cmark_event_type ev;
	struct outbuf o = { 0 };

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		cmark_node_type ty = cmark_node_get_type(n);
		const char *lit;

		if (ev != CMARK_EVENT_ENTER)
			continue;
		if (ty == CMARK_NODE_TEXT || ty == CMARK_NODE_CODE) {
			lit = cmark_node_get_literal(n);
			out_put(&o, lit, strlen(lit));
		} else if (ty == CMARK_NODE_SOFTBREAK ||
			   ty == CMARK_NODE_LINEBREAK) {
			out_put(&o, " ", 1);
		}
	}
	cmark_iter_free(it);
	if (!o.s)
		out_put(&o, "", 0);
	return o.s;
}

/* The first sentence after the ID, tabs flattened, at most 100 chars. */
static void print_summary(const char *s)
{
	size_t n = 0, max = 100;

	while (*s == ' ')
		s++;
	while (s[n] && !(s[n] == '.' && (s[n + 1] == ' ' || !s[n + 1])) &&
	       !(s[n] == ':' && (s[n + 1] == ' ' || !s[n + 1])))
		n++;
	if (n > max) {
		while (n > max - 20 && (s[n] & 0xc0) == 0x80)
			n--;
		n = max;
		while (n && (s[n] & 0xc0) == 0x80)
			n--;
		printf("%.*s...", (int)n, s);
	} else {
		printf("%.*s", (int)n, s);
	}
}

static void rules_of(int ch, struct rule **rules, size_t *nrules,
		     size_t *cap)
{
	const struct chapter *c = &chapters[ch];
	cmark_node *doc = cmark_parse_document(c->buf, c->len, CMARK_OPT_DEFAULT);
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		cmark_node *n = cmark_iter_get_node(it);
		char *text, *close, *s;
		size_t idlen, j;
		int line;

		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_PARAGRAPH)
			continue;
		text = para_text(n);
		close = text[0] == '[' ? strchr(text, ']') : NULL;
		line = cmark_node_get_start_line(n);
		if (!close || !rule_like(text + 1, (size_t)(close - text - 1))) {
			free(text);
			continue;
		}
		s = text + 1;
		idlen = (size_t)(close - s);
		if (!rule_id_ok(s, idlen)) {
			chapter_error(ch, line, 0,
				      "malformed rule ID '[%.*s]': a rule ID is upper-case words and digits joined by single dashes, e.g. [MN-PAIR]",
				      (int)idlen, s);
			free(text);
			continue;
		}
		for (j = 0; j < *nrules; j++) {
			if (strlen((*rules)[j].id) == idlen &&
			    !strncmp((*rules)[j].id, s, idlen)) {
				chapter_error(ch, line, 0,
					      "duplicate rule ID [%s]: first defined at %s:%d",
					      (*rules)[j].id,
					      chapters[(*rules)[j].ch].path,
					      (*rules)[j].line);
				break;
			}
		}
		if (j == *nrules) {
			if (*nrules == *cap) {
				*cap = *cap ? 2 * *cap : 32;
				*rules = xrealloc(*rules, *cap * sizeof(**rules));
			}
			(*rules)[*nrules].id = xstrndup(s, idlen);
			(*rules)[*nrules].ch = ch;
			(*rules)[*nrules].line = line;
			(*nrules)++;
			printf("%.*s\t%s\t%d\t", (int)idlen, s, c->path, line);
			print_summary(close + 1);
			putchar('\n');
		}
		free(text);
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
}

static int run_rules(void)
{
	struct rule *rules = NULL;
	size_t nrules = 0, cap = 0;

	for (int ch = 0; ch < nchapters; ch++)
		if (chapters[ch].buf)
			rules_of(ch, &rules, &nrules, &cap);
	for (size_t i = 0; i < nrules; i++)
		free(rules[i].id);
	free(rules);
	return diag_flush() ? 1 : 0;
}

/* ------------------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr,
		"usage: tangle [--check] [--out DIR] CHAPTER.md...\n"
		"       tangle --rules CHAPTER.md...\n");
	exit(2);
}

static void cleanup(void)
{
	for (size_t i = 0; i < ntargets; i++) {
		free(targets[i]->name);
		free(targets[i]->frags);
		free(targets[i]);
	}
	free(targets);
	for (int i = 0; i < nchapters; i++) {
		free(chapters[i].buf);
		free(chapters[i].line_off);
	}
	free(chapters);
	for (size_t i = 0; i < ndiags; i++) {
		free(diags[i].file);
		free(diags[i].msg);
	}
	free(diags);
}

int main(int argc, char **argv)
{
	const char *dir = ".";
	bool check = false, rules = false, loaded = true;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--rules"))
			rules = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--"))
			break;
		else {
			fprintf(stderr, "tangle: unknown option '%s'\n", argv[i]);
			usage();
		}
	}
	if (i < argc && !strcmp(argv[i], "--"))
		i++;
	if (i == argc || (rules && check))
		usage();
	if (argc - i > 100000)
		usage();
	nchapters = argc - i;
	chapters = calloc((unsigned int)nchapters, sizeof(*chapters));
	if (!chapters)
		return 2;
	for (int ch = 0; ch < nchapters; ch++)
		loaded &= load_chapter(ch, argv[i + ch]);
	if (rules) {
		rc = run_rules() | !loaded;
	} else if (!loaded) {
		diag_flush();
		rc = 1;
	} else {
		for (int ch = 0; ch < nchapters; ch++)
			scan_chapter(ch);
		rc = run_tangle(dir, check);
	}
	cleanup();
	return rc;
}
