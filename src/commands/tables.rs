//! Rows of results printed three ways: an aligned table for people, CSV and JSON for scripts.
//! Every value came from AWS, so each is made inert first (in every format alike).

use crate::ops::grammar::TableOutput;
use crate::sanitize::inert;
use crate::width::truncate;
use std::io::Write;

/// The widest a table column grows before its values are cut (CSV and JSON are never cut).
const MAX_COLUMN: usize = 80;

pub fn print(
    headers: &[String],
    rows: &[Vec<String>],
    format: TableOutput,
    out: &mut (dyn Write + Send),
) -> std::io::Result<()> {
    let clean = |s: &String| inert(s).into_owned();
    let headers: Vec<String> = headers.iter().map(clean).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(clean).collect()).collect();
    match format {
        TableOutput::Table => {
            let widths: Vec<usize> = (0..headers.len())
                .map(|c| {
                    let longest = rows.iter().filter_map(|r| r.get(c)).map(|v| v.chars().count()).max().unwrap_or(0);
                    longest.max(headers[c].chars().count()).min(MAX_COLUMN)
                })
                .collect();
            let line = |cells: &[String]| -> String {
                let last = cells.len().saturating_sub(1);
                let parts: Vec<String> = cells
                    .iter()
                    .enumerate()
                    .map(|(c, v)| match c == last {
                        true => truncate(v, MAX_COLUMN),
                        false => format!("{:<w$}", truncate(v, widths[c]), w = widths[c]),
                    })
                    .collect();
                parts.join("  ")
            };
            writeln!(out, "{}", line(&headers))?;
            for r in &rows {
                writeln!(out, "{}", line(r))?;
            }
        }
        TableOutput::Csv => {
            let mut csv = csv::Writer::from_writer(Vec::new());
            let records = std::iter::once(&headers).chain(rows.iter());
            for record in records {
                csv.write_record(record).map_err(std::io::Error::other)?;
            }
            let bytes = csv.into_inner().map_err(|e| std::io::Error::other(e.to_string()))?;
            out.write_all(&bytes)?;
        }
        TableOutput::Json => {
            let objects: Vec<serde_json::Map<String, serde_json::Value>> = rows
                .iter()
                .map(|r| headers.iter().cloned().zip(r.iter().map(|v| serde_json::Value::String(v.clone()))).collect())
                .collect();
            writeln!(out, "{}", serde_json::Value::from(objects))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(format: TableOutput) -> String {
        let headers = vec!["time".to_string(), "message".to_string()];
        let rows = vec![
            vec!["12:00".to_string(), "a, \"quoted\" value".to_string()],
            vec!["12:01".to_string(), "\u{1b}[2Jcleared".to_string()],
        ];
        let mut out = Vec::new();
        print(&headers, &rows, format, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tables_align_csv_quotes_and_nothing_reaches_the_terminal_raw() {
        let table = printed(TableOutput::Table);
        assert!(table.starts_with("time   message\n12:00  a, \"quoted\" value\n"), "{table}");
        let csv = printed(TableOutput::Csv);
        assert!(csv.contains("12:00,\"a, \"\"quoted\"\" value\""), "{csv}");
        let json: serde_json::Value = serde_json::from_str(&printed(TableOutput::Json)).unwrap();
        assert_eq!(json[1]["time"], "12:01");
        for text in [table, csv, json.to_string()] {
            assert!(!text.contains('\u{1b}'), "an escape reached the output: {text:?}");
        }
    }
}
