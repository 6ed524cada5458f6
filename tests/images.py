"""Real images made by Pillow for the tests: photos with GPS and serial numbers, bombs, junk."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

SERIAL = "SERIAL-0042"


def image_bytes(size=(1200, 900), fmt="JPEG", mode="RGB", exif=None, **save):
    image = Image.new(mode, size, (170, 40, 40) if mode == "RGB" else 0)
    if mode == "RGB":  # some detail, so encoders produce realistic sizes
        for x in range(0, size[0], 40):
            image.paste((40, 90, 170), (x, 0, x + 20, size[1]))
    buffer = io.BytesIO()
    if exif is not None:
        save["exif"] = exif
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def camera_exif(orientation=1):
    """EXIF as a phone writes it: orientation, camera, serial number and GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCam"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 5.0, 30.0)
    return exif


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def phone_photo(size=(1200, 900), orientation=1):
    return upload(image_bytes(size, exif=camera_exif(orientation)))
