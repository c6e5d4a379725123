fn main() {
    let rows = vec![vec!["070-1955-1269 a_b |x| 松本 敦子 〒100-0001".to_string()], vec!["氏名".to_string(), "松本 敦子".to_string(), "S50.4.29".to_string()]];
    std::fs::write("/tmp/pdft/t.pdf", mamori_samples::office::pdf::text_pdf(&rows)).unwrap();
}
