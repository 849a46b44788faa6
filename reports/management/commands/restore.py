from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from reports.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (tạo bởi lệnh backup) vào cơ sở dữ liệu đang "
        "cấu hình (DATABASE_URL) và MEDIA_ROOT. Cơ sở dữ liệu phải trống, trừ khi "
        "có --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="Tệp .tar.gz cần khôi phục.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ghi đè cơ sở dữ liệu đang có dữ liệu.",
        )

    def handle(self, *args, archive, force, **options):
        if not archive.is_file():
            raise CommandError(f"Không có tệp {archive}.")
        connections.close_all()
        try:
            manifest, files = restore_backup(archive, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục cơ sở dữ liệu ({manifest['engine']}, sao lưu lúc "
                f"{manifest['created_at']}) và {files} tệp tải lên từ {archive}."
            )
        )
