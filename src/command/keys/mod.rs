pub mod export;
pub mod generate;
pub mod list;
