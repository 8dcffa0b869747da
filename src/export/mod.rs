//! Workbooks the service writes, one module per workbook.

pub mod annotated;
pub mod cells;
pub mod ght;
pub mod review;
pub mod template;
pub mod vision;
