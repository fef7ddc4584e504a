pub mod gc;
pub mod status;
