//! Workbooks the service writes, one module per workbook.

pub mod annotated;
