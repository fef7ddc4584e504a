//! The document's lines as it writes them (issue #22): every command line of
//! `federation-setup-and-operations.md`, run verbatim through a shell with
//! only homes and data set up around it, checked against what the document
//! says it does.

mod enabled;
mod lines;
mod walk;
