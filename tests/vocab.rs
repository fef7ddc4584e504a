//! One vocabulary across the CLI's output (#27): the `--json` names, `-q`,
//! `-v` and `--log-format json` on stderr, the terminal refusal of a
//! bundle on stdout, tables and human units.

mod keys;
mod quiet;
mod tables;
mod tty;
