pub fn run() -> anyhow::Result<()> {
    println!("{}", crate::stack::openapi().to_pretty_json()?);
    Ok(())
}
