"""Attachment drop over FTP (standard library): timeouts on the client or on connect()."""

import ftplib

FTP_HOST = "ftp.example.com"


def drop(path: str) -> None:
    try:
        with ftplib.FTP(FTP_HOST, timeout=30) as ftp, open(path, "rb") as fh:
            ftp.login("drop", "secret")
            ftp.storbinary(f"STOR {path}", fh)
    except ftplib.all_errors:
        pass


def drop_unbounded() -> None:
    ftp = ftplib.FTP(FTP_HOST)  # expect: FM101, FM103
    ftp.login("drop", "secret")  # expect: FM103


def listing() -> list[str]:
    ftp = ftplib.FTP()
    try:
        ftp.connect(FTP_HOST, 21, timeout=30)  # sets the timeout of the whole session
        ftp.login("drop", "secret")
        return ftp.nlst()
    except ftplib.all_errors:
        return []


def listing_tls() -> list[str]:
    ftp = ftplib.FTP_TLS()
    try:
        ftp.connect(FTP_HOST, 21, None)  # expect: FM102
        ftp.login("drop", "secret")
        ftp.prot_p()
        return ftp.nlst()
    except ftplib.all_errors:
        return []


def listing_forever() -> list[str]:
    ftp = ftplib.FTP()
    ftp.connect(FTP_HOST)  # expect: FM101, FM103
    ftp.login("drop", "secret")  # expect: FM103
    return ftp.nlst()  # expect: FM103
