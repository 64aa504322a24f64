fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).unwrap();
    let prompt = std::env::args().nth(2).unwrap();
    let t = std::time::Instant::now();
    let lm = tarjama::llm::LanguageModel::load(std::path::Path::new(&path))?;
    eprintln!("loaded in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let c = lm.complete(&prompt, 60, &["\n\n"])?;
    eprintln!("{:?} in {:?}", c, t.elapsed());
    Ok(())
}
