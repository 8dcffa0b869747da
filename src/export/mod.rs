//! Workbooks the service writes, one module per workbook.

pub mod annotated;
pub mod cells;
pub mod ght;
pub mod national;
pub mod resah;
pub mod review;
pub mod schema_directeur;
pub mod style;
pub mod template;
pub mod vision;
