//! Documentation that answers (#27): the config reference lists every key
//! the parser accepts, each section-1 page carries EXIT STATUS, ENVIRONMENT,
//! FILES, EXAMPLES and SEE ALSO, and completions offer the home's site ids,
//! key names and quarantine ids.

mod completion;
mod config_page;
mod readme;
mod sections;
