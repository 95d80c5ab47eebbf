"""Every write on the wallet: the posting engine and the requests that use it."""
