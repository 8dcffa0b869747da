//! The look shared by every workbook the service writes: a dark blue
//! header row, French number formats (thousands apart, euros, percentages
//! with one decimal, dates as JJ/MM/AAAA).

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder};

/// The formats of a workbook.
#[derive(Debug, Clone)]
pub struct Styles {
    /// A sheet's title line.
    pub title: Format,
    /// A table's header row.
    pub header: Format,
    /// A share, 0 to 1, shown as a percentage.
    pub percent: Format,
    /// A count.
    pub number: Format,
    /// Euros.
    pub money: Format,
    /// A day.
    pub date: Format,
    /// Text over several lines, from the top.
    pub wrap: Format,
}

impl Default for Styles {
    fn default() -> Self {
        Styles {
            title: Format::new().set_bold().set_font_size(13),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0x1F_4E_79))
                .set_font_color(Color::White)
                .set_border(FormatBorder::Thin),
            percent: Format::new().set_num_format("0.0 %"),
            number: Format::new().set_num_format("# ##0"),
            money: Format::new().set_num_format("#,##0.00 [$€-40C]"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

impl Styles {
    /// The format of a value of an indicator's unit.
    pub fn of_unit(&self, unit: &str) -> &Format {
        match unit {
            "percent" => &self.percent,
            "euro" => &self.money,
            _ => &self.number,
        }
    }
}
