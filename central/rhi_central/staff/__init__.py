"""Staff of the service: accounts, roles and what each role may do, passwords, sessions."""
