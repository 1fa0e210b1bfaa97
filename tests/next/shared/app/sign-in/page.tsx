// Where the middleware sends signed-out page requests (NEXT_PUBLIC_CLERK_SIGN_IN_URL=/sign-in).
export default function SignIn() {
  return (
    <main>
      <h1>Sign in</h1>
    </main>
  );
}
