/* Untrusted text made harmless where it goes. Names and paths in a model file,
 * and file names on the command line, reach generated code, reports and
 * terminals; each sink gets the escaping it needs, so that no string can end a
 * comment, change a terminal's state or become code. */
#ifndef ADAC_TEXT_ESCAPE_H
#define ADAC_TEXT_ESCAPE_H

#include <stddef.h>

/* For a one-line comment in generated code: printable ASCII is kept, every other
 * byte (newline, carriage return, any control character, any non-ASCII byte)
 * becomes \xNN and a backslash becomes \\. At most max_chars of s are shown,
 * then "...". Always terminates buf; returns buf. */
char *adac_escape_comment(const char *s, size_t max_chars, char *buf, size_t len);

/* For a FAUST string literal (the model's name in `declare name`): quotes and
 * backslashes would end or escape it and control characters have no place in a
 * name, so each becomes '_'. UTF-8 is kept; cut short, buf ends at a whole
 * character. Always terminates buf; returns buf. */
char *adac_escape_faust_string(const char *s, char *buf, size_t len);

/* For a terminal: valid UTF-8 is kept except control characters (C0, DEL, C1),
 * which become \xNN (\n for a newline), as does every byte of invalid UTF-8.
 * Always terminates buf (truncating with "..."); returns buf. */
char *adac_escape_terminal(const char *s, char *buf, size_t len);

/* Length of the longest valid UTF-8 prefix of s[0..n): n when all of it is valid.
 * Overlong forms, surrogates and code points above U+10FFFF are invalid. */
size_t adac_utf8_valid_prefix(const unsigned char *s, size_t n);

#endif
