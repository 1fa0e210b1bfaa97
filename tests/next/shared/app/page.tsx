export default function Home() {
  return (
    <main>
      <h1>Public home</h1>
      <p data-testid="public">Anyone can see this page.</p>
    </main>
  );
}
