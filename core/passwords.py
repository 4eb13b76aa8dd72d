"""Password hashing for staff accounts: Argon2id with pwdlib's recommended parameters, in one place."""

from pwdlib import PasswordHash

# Each hash and each check takes about 0.3 s here: slow on purpose, against guessing from a stolen table.
# Hashes carry their own parameters, so raising them later still verifies every stored hash.
password_hash = PasswordHash.recommended()
