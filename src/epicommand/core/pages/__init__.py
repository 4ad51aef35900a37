"""What every app's pages share: the page gate (`access.capability_required`), keyset lists
with htmx partials (`paging`), region pick-lists (`regions`), and the form helpers that
put a service's errors back on a form and keep typed region codes in the user's
jurisdiction (`forms`). Below every app, so any app's views may use them."""
