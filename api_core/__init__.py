"""HTTP plumbing shared by the web and mobile APIs: sessions, the current user, one error shape."""
