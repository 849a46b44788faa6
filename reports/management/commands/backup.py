from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (SQLite: bản sao nhất quán; PostgreSQL: pg_dump -Fc) "
        "và các tệp tải lên (MEDIA_ROOT) vào một tệp backups/sokket-<thời điểm>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=settings.BASE_DIR / "backups",
            help="Thư mục ghi bản sao lưu (mặc định: backups/).",
        )

    def handle(self, *args, output_dir, **options):
        try:
            archive = create_backup(output_dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu vào {archive}"))
