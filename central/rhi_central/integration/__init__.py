"""Systems that push episodes (a case system, a police feed): their revocable tokens."""
