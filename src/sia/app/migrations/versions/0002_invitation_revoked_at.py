"""invitation.revoked_at: a newer invitation, or the facilitator, revokes an unused one

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
    # invitations issued before this revision: an unused one is revoked when the next one was issued
    op.execute(
        "UPDATE invitation SET revoked_at = (SELECT min(i.created_at) FROM invitation i "
        "WHERE i.participant_id = invitation.participant_id AND i.id > invitation.id) "
        "WHERE used_at IS NULL AND EXISTS (SELECT 1 FROM invitation i "
        "WHERE i.participant_id = invitation.participant_id AND i.id > invitation.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
